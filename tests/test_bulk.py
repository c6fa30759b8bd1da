"""relaxed_gc: rarer collections during bulk jobs, and everything restored after."""

from __future__ import annotations

import gc

import pytest
from hubbub.bulk import BULK_GC_THRESHOLD, relaxed_gc


def test_collections_are_rarer_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with relaxed_gc():
        assert gc.get_threshold()[0] == BULK_GC_THRESHOLD
        assert gc.get_freeze_count() > 0  # what was loaded is out of the collector's sight
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_job_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), relaxed_gc():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nested_use_keeps_the_outer_setting_until_the_outer_block_ends() -> None:
    before = gc.get_threshold()
    with relaxed_gc():
        with relaxed_gc():
            pass
        assert gc.get_threshold()[0] == BULK_GC_THRESHOLD
    assert gc.get_threshold() == before


def test_a_disabled_collector_is_left_alone() -> None:
    gc.disable()
    try:
        before = gc.get_threshold()
        with relaxed_gc():
            assert gc.get_threshold() == before
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_runs_relaxed(tmp_path) -> None:
    from hubbub.ingest import run_source
    from hubbub.kinds import Source
    from hubbub.store import Store

    seen = []

    class Probe(Source):
        name = "probe"

        def read(self, cursor):
            seen.append(gc.get_threshold()[0])
            return iter(())

    store = Store.open(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        run_source(store, Probe(key="probe"))
    finally:
        store.close()
    assert seen == [BULK_GC_THRESHOLD]
    assert gc.get_threshold()[0] != BULK_GC_THRESHOLD
