"""search.background: one thread per job and process, and no request lost or doubled."""

from __future__ import annotations

import threading

from search.background import Background


def test_asked_while_it_runs_the_job_runs_once_more_then_stops():
    running, release = threading.Event(), threading.Event()
    runs, finished = [], []

    def job(tag):
        runs.append(tag)
        running.set()
        assert release.wait(10)

    background = Background(
        "test-job", job, finish=lambda: finished.append(threading.current_thread().name)
    )
    background.start("asked")
    assert running.wait(10) and background.running
    background.start("asked again")  # both while it runs: one more run, with the first's
    background.start("and again")  # arguments (each run takes up whatever is latest)
    release.set()
    background.wait(10)
    assert runs == ["asked", "asked"]
    assert not background.running and finished == ["test-job"]
    background.start("later")
    background.wait(10)
    assert runs == ["asked", "asked", "later"]


def test_what_is_asked_while_held_is_not_run():
    runs = []
    background = Background("test-job", runs.append, finish=None)
    with background.held():
        background.start("held")
    background.wait(10)
    assert runs == []
    background.start("after")
    background.wait(10)
    assert runs == ["after"]
