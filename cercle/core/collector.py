"""Python's cycle collector during bulk work: an import of mail files, a mailbox's large sync.

CPython frees most objects as soon as they are unused (reference counting); its cycle collector
only finds groups of objects that point at each other. By default it looks at the youngest objects
every 700 allocations not yet freed, at older ones every tenth time, and now and then at every
object the process holds. An import allocates millions of objects (parsed messages, rows held for
their batch, model instances, caches that grow), so the collector ran thousands of times, and each
full pass walked the whole of Django, the app and the import's caches. Measured at 100,000 messages
(`bench/ingest.py`), it took 13 s of the importing process, holding Python's lock all that time,
which the thread that writes the batches waits on: the import ran in 59–60 s with the default
thresholds, 43–51 s within `fewer_collections()`, at the same peak memory.

`fewer_collections()` freezes what exists when the work begins (`gc.freeze`: Django, the app, the
settings are not walked again) and raises the thresholds while the work runs; the collector still
runs (every `YOUNG` allocations), so cycles made meanwhile are still freed. The settings are the
process's: nested or concurrent uses (two syncs in two threads) count, and the last one out puts
back the thresholds found by the first one in and unfreezes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The youngest objects are looked at every YOUNG allocations not freed meanwhile (default 700); the
# older generations every OLDER passes of the one before (default 10). Measured at 100,000 messages:
# about 65 passes of the youngest, 3 of the next and none of all, 1.3–1.5 s in all.
YOUNG = 20_000
OLDER = 20

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Within this block, the cycle collector runs rarely and skips what existed before it."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            gc.freeze()
            if _saved[0]:  # 0: collection turned off by someone else, left so
                gc.set_threshold(max(_saved[0], YOUNG), max(_saved[1], OLDER), max(_saved[2], OLDER))
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                gc.set_threshold(*_saved)
                gc.unfreeze()
