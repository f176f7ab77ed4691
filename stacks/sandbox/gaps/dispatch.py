"""The server routes a request without listing moto's package directory each time.

moto 5.2.1's server asks `backends.list_of_moto_modules()` whether a request's
host names a service, and that lists moto's package directory (an os.listdir
and about 150 isdir calls) on every request: a quarter of the sandbox's time
per call. The package does not change while the server runs, so it is listed
once; the answer is the same.
"""

from __future__ import annotations

from typing import Iterator

from moto import backends

_listed: tuple[str, ...] = ()


def list_of_moto_modules() -> Iterator[str]:
    return iter(_listed)


def install() -> None:
    global _listed
    if backends.list_of_moto_modules is list_of_moto_modules:
        return
    _listed = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = list_of_moto_modules
