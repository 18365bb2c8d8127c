"""The short concurrency soak of `make test` (soak.py; `make soak` runs it long): 2 processes x 4 threads
on one file, and on one PostgreSQL database, then every invariant checked."""
import os
import sys

import pytest

import soak

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sql"))
import pgcluster  # noqa: E402


def test_processes_and_threads_hammering_one_file_keep_every_invariant(tmp_path):
    failures, stats = soak.run(processes=2, threads=4, ops=150, directory=tmp_path)
    print("\n" + soak.describe(stats))
    assert failures == []
    assert stats["busy"] == 0, "busy waits are handled inside the engine"
    assert stats["errors"].get("insufficient_stock", 0) > 0, "the scarce SKUs were raced for and ran out"


@pytest.mark.skipif(pgcluster.available() is not None, reason=str(pgcluster.available()))
def test_hosts_hammering_one_postgresql_database_keep_every_invariant(tmp_path):
    """The same mix from 2 processes (hosts) x 4 threads on a shared PostgreSQL database, where the
    commands run side by side instead of one writer at a time."""
    with pgcluster.Cluster() as cluster:
        uri = soak.postgresql_database(cluster.uri("{db}"), "soak")
        failures, stats = soak.run(processes=2, threads=4, ops=150, directory=tmp_path, database=uri)
    print("\n" + soak.describe(stats))
    assert failures == []
    assert stats["busy"] == 0, "contention is retried inside the engine"
    assert stats["errors"].get("insufficient_stock", 0) > 0, "the scarce SKUs were raced for and ran out"
