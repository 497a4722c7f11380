"""Helper processes that never outlive the process that started them.

A parser process of `cercle import` blocks on its input queue; if the import is killed (kill -9, the
machine's OOM killer), nothing tells it, and it lingers with its memory. `die_with_parent` is the
initializer of such processes: on Linux the kernel kills the child when the parent dies
(PR_SET_PDEATHSIG); elsewhere, and as a second guard, a thread watches the parent's pid.
Pure standard library: it runs in a spawned child before Django is set up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading

PR_SET_PDEATHSIG = 1
WATCH_EVERY_SECONDS = 1.0


def _set_parent_death_signal(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def terminate_with_parent() -> None:
    """`preexec_fn` of a server process we start (gunicorn under `cercle run`): SIGTERM when we die."""
    _set_parent_death_signal(signal.SIGTERM)


def die_with_parent(parent_pid: int) -> None:
    _set_parent_death_signal(signal.SIGKILL)  # not on Linux: the watcher below is enough
    if os.getppid() != parent_pid:  # the parent died before we got here
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="watch-parent").start()


def _watch(parent_pid: int) -> None:
    stop = threading.Event()
    while not stop.wait(WATCH_EVERY_SECONDS):
        if os.getppid() != parent_pid:
            os._exit(1)
