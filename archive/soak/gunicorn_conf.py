"""gunicorn hooks for `manage.py soak` (`gunicorn -c python:archive.soak.gunicorn_conf`).

They do nothing unless the soak command sets BAYAN_SOAK_PROBE_DIR (`soak --probe`): then
each worker writes what it holds in memory (archive.soak.probe) while the soak runs.
"""

from __future__ import annotations

import contextlib

_probe = None


def post_worker_init(worker):
    global _probe
    from archive.soak.probe import Probe

    _probe = Probe.from_environment()
    if _probe is not None:
        _probe.write(event="worker started")


def post_request(worker, req, environ, resp):
    if _probe is not None:
        try:
            _probe.after_request()
        except Exception:  # the probe must never fail a request
            worker.log.exception("soak probe failed")


def worker_exit(server, worker):
    if _probe is not None:
        with contextlib.suppress(Exception):
            _probe.write(snapshot=True, event="exit")
