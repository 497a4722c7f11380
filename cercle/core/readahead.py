"""An iterator read ahead by a thread of its own: while the caller works on one item, the next ones
are being produced (a mail server's answers, read from the network while the import decides)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable
from typing import TypeVar

T = TypeVar("T")

_END = object()


class _Raised:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(
    source: Iterable[T], most: int, *, name: str = "cercle-read-ahead"
) -> Generator[T, None, None]:
    """The items of `source` in their order, produced by a thread up to `most` ahead of the caller.
    An error of `source` is raised to the caller where its item would have come. When the caller
    stops early (an error of its own, `close()`), the thread stops after the item it is producing,
    and is waited for: once this iterator is done, nobody uses what `source` uses (a connection)."""
    items: queue.Queue[object] = queue.Queue(maxsize=max(1, most))
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
        except BaseException as error:  # handed to the caller, raised there
            put(_Raised(error))
            return
        put(_END)

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
