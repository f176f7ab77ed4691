"""Pickling many dynamic providers in one process does not nest pickle without end."""

from __future__ import annotations

import pickle
import subprocess
import sys

SCRIPT = """
import pickle
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic import dynamic
from provision.stacks.engine import provider_pickling

class P(ResourceProvider):
    pass

for _ in range({before}):
    dynamic.serialize_provider(P())  # what earlier, unfixed calls leave behind
provider_pickling.install()
provider_pickling.install()
blobs = {{dynamic.serialize_provider(P()) for _ in range(3000)}}
assert len(blobs) == 1, "pickling must stay deterministic"
print(pickle._Pickler._batch_setitems.__qualname__)
"""


def run(before: int) -> subprocess.CompletedProcess:
    # A fresh process: the leak is process-wide and other tests pickle providers too.
    return subprocess.run([sys.executable, "-c", SCRIPT.format(before=before)], capture_output=True, text=True, timeout=300)


def test_thousands_of_providers_pickle_and_leave_pickle_alone() -> None:
    done = run(before=50)
    assert (done.returncode, done.stdout, done.stderr[-300:]) == (0, "_Pickler._batch_setitems\n", "")


def test_stdlib_method_is_found_under_layers() -> None:
    from provision.stacks.engine.provider_pickling import stdlib_batch_setitems

    assert stdlib_batch_setitems().__qualname__ == "_Pickler._batch_setitems"
    assert pickle._Pickler.__module__ == "pickle"
