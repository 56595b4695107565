"""The cyclic garbage collector pauses for a bulk job and runs again after it, however it ends."""

import gc
import weakref

import pytest

from campaigns.bulk_collector import collect_young, cycle_collector_paused

pytestmark = pytest.mark.backend_free


def test_the_collector_is_paused_inside_and_running_after_a_job_that_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the job failed half-way")
    assert gc.isenabled()


def test_a_collector_paused_before_the_job_stays_paused() -> None:
    gc.disable()
    try:
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_jobs_end_with_the_collector_running() -> None:
    outer, inner = cycle_collector_paused(), cycle_collector_paused()
    outer.__enter__()
    inner.__enter__()
    outer.__exit__(None, None, None)  # the job that paused it ends first
    inner.__exit__(None, None, None)
    assert gc.isenabled()


def test_cycles_a_batch_left_are_collected_between_batches_while_paused() -> None:
    class Node:
        partner: "Node"

    with cycle_collector_paused():
        first, second = Node(), Node()
        first.partner, second.partner = second, first
        gone = weakref.ref(first)
        del first, second
        assert gone() is not None  # a cycle: reference counting alone never frees it
        collect_young()
        assert gone() is None
