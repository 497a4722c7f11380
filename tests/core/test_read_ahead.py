"""`read_ahead`: the items in order, produced ahead by a thread, errors raised where they occur, and
the thread gone once the caller stops."""

from __future__ import annotations

import threading
import time

import pytest

from cercle.core.readahead import read_ahead


def test_items_come_in_order_and_the_thread_ends_with_them():
    assert list(read_ahead(iter(range(1000)), 7)) == list(range(1000))
    assert not [t for t in threading.enumerate() if t.name == "cercle-read-ahead"]


def test_the_source_is_read_ahead_of_the_caller_by_at_most_the_bound():
    produced: list[int] = []
    seen_by: list[str] = []

    def source():
        for n in range(50):
            produced.append(n)
            seen_by.append(threading.current_thread().name)
            yield n

    items = read_ahead(source(), 5, name="test-ahead")
    assert next(items) == 0
    deadline = time.monotonic() + 5
    while len(produced) < 6 and time.monotonic() < deadline:  # produced while the caller does nothing
        time.sleep(0.01)
    time.sleep(0.1)
    assert 6 <= len(produced) <= 1 + 5 + 1  # the one taken, the queue full, the one waiting to go in
    assert set(seen_by) == {"test-ahead"}
    assert list(items) == list(range(1, 50))


def test_an_error_of_the_source_is_raised_where_its_item_would_come():
    def source():
        yield 1
        yield 2
        raise ConnectionResetError("the server hung up")

    got = []
    with pytest.raises(ConnectionResetError, match="hung up"):
        for item in read_ahead(source(), 10):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_stops_the_thread_before_returning():
    produced: list[int] = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    items = read_ahead(endless(), 3, name="test-stop")
    assert [next(items) for _ in range(4)] == [0, 1, 2, 3]
    items.close()
    assert not [t for t in threading.enumerate() if t.name == "test-stop"]
    count = len(produced)
    time.sleep(0.2)
    assert len(produced) == count  # nothing is read from the source any more
