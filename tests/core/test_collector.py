"""core/collector.py: the cycle collector runs rarely during bulk work, still frees cycles, and is put
back as it was found, however the uses nest or overlap."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from cercle.core import collector
from cercle.core.collector import fewer_collections


@pytest.fixture
def thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_thresholds_are_raised_within_and_put_back_after(thresholds):
    with fewer_collections():
        assert gc.get_threshold() == (collector.YOUNG, collector.OLDER, collector.OLDER)
        assert gc.get_freeze_count() > 0  # what existed before is not walked again
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_nested_and_overlapping_uses_put_back_the_first_thresholds_once_all_are_out(thresholds):
    inner_out = threading.Event()
    outer_may_leave = threading.Event()

    def other_thread() -> None:
        with fewer_collections():
            inner_out.wait(5)
        outer_may_leave.set()

    with fewer_collections():
        thread = threading.Thread(target=other_thread)
        thread.start()
        with fewer_collections():
            pass
        assert gc.get_threshold()[0] == collector.YOUNG  # the other thread is still in
        inner_out.set()
        outer_may_leave.wait(5)
        thread.join(5)
        assert gc.get_threshold()[0] == collector.YOUNG  # this block is still in
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_cycles_made_within_are_still_freed(thresholds):
    freed = []
    with fewer_collections():
        for _ in range(3 * collector.YOUNG):
            node = _Node()
            weakref.finalize(node, freed.append, 1)
        del node
        assert freed, "the collector never ran within the block"


def test_a_collector_turned_off_is_left_off():
    saved = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*saved)
