"""The load test's two clients (search/bench.py): wrk with its script, and the Python threads
where wrk is missing. Each asks for every path in turn and counts what did not answer 200,
against a real HTTP server on loopback."""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from search import bench


@pytest.fixture
def server():
    asked: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked[self.path] += 1
            status = 404 if self.path == "/missing/" else 200
            body = b"page"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # A client whose time is up hangs up on its requests still in flight.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], asked
    httpd.shutdown()
    httpd.server_close()


def _wrk_or_skip():
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (Debian's package `wrk`; .ci/run installs it)")
    return bench._wrk


@pytest.mark.parametrize("client", ["wrk", "python"])
def test_a_load_client_asks_for_every_path_and_counts_answers_that_are_not_200(server, client):
    port, asked = server
    measure = _wrk_or_skip() if client == "wrk" else bench._hammer
    paths = [f"/c/{n}/" for n in range(6)] + ["/missing/"]
    result = measure(port, paths, 1, 4)
    assert set(asked) == set(paths)
    # wrk leaves the requests still in flight when its time is up uncounted: at most one per
    # connection.
    assert sum(asked.values()) - 4 <= result["requests"] <= sum(asked.values())
    assert asked["/missing/"] - 4 <= result["errors"] <= asked["/missing/"]
    assert result["errors"] > 0
    assert any("404" in error for error in result["error_sample"])
    assert 0 < result["p50"] <= result["p95"] <= result["p99"]
    assert result["rps"] > 0


def test_wrk_takes_each_path_once_before_any_twice(server):
    port, asked = server
    measure = _wrk_or_skip()
    paths = [f"/c/{n}/" for n in range(50_000)]
    result = measure(port, paths, 1, 4)
    # Fewer requests than paths in a second: the cold pass must find every page unread.
    assert result["requests"] < len(paths)
    assert max(asked.values()) == 1
    assert result["errors"] == 0


@pytest.mark.parametrize("client", ["wrk", "python"])
def test_a_load_client_told_to_expect_a_404_counts_the_other_answers(server, client):
    # The load test's floor asks for pages that do not exist: their 404 is the answer wanted.
    port, asked = server
    measure = _wrk_or_skip() if client == "wrk" else bench._hammer
    result = measure(port, ["/missing/", "/c/1/"], 1, 4, expect=404)
    assert asked["/missing/"] > 0 and asked["/c/1/"] > 0
    assert asked["/c/1/"] - 4 <= result["errors"] <= asked["/c/1/"]
    assert any("200" in error for error in result["error_sample"])
    assert not any("404" in error for error in result["error_sample"])
