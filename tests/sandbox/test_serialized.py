"""OneCallAtATime: the sandbox's moto app never serves two calls at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from provision.stacks.sandbox.serialized import OneCallAtATime


class Recorder:
    """A WSGI app with a lazy body that notes how many calls are inside it at once."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.closed = 0
        self._count = threading.Lock()

    def _enter(self, delta: int) -> None:
        with self._count:
            self.inside += delta
            self.most = max(self.most, self.inside)

    def __call__(self, environ, start_response):
        self._enter(+1)
        start_response("200 OK", [])
        recorder = self

        class Body:
            def __iter__(self):
                time.sleep(0.01)  # the body is read after the app returned: still inside the call
                yield environ["PATH_INFO"].encode()
                recorder._enter(-1)

            def close(self):
                recorder.closed += 1

        return Body()


def serve(app, calls: int = 16) -> list[list[bytes]]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda i: list(app({"PATH_INFO": f"/{i}"}, lambda *a: None)), range(calls)))


def test_calls_do_not_overlap_and_each_body_is_read_and_closed() -> None:
    recorder = Recorder()
    bodies = serve(OneCallAtATime(recorder))
    assert (recorder.most, recorder.closed) == (1, 16)
    assert bodies == [[f"/{i}".encode()] for i in range(16)]


def test_without_it_the_same_calls_overlap() -> None:
    recorder = Recorder()
    serve(recorder)
    assert recorder.most > 1
