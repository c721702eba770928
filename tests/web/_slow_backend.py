"""A pose-backend factory that never returns: the worker running it hangs until it is killed."""

from __future__ import annotations

import time


def hanging_backend() -> object:
    time.sleep(3600)
    raise AssertionError("unreachable")


def failing_backend() -> object:
    raise RuntimeError("backend exploded with patient detail P-SECRET")
