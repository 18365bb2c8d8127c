"""The short concurrency soak of `make test` (soak.py; `make soak` runs it long): 2 processes x 4 threads
on one file, then every invariant checked."""
import soak


def test_processes_and_threads_hammering_one_file_keep_every_invariant(tmp_path):
    failures, stats = soak.run(processes=2, threads=4, ops=150, directory=tmp_path)
    print("\n" + soak.describe(stats))
    assert failures == []
    assert stats["busy"] == 0, "busy waits are handled inside the engine"
    assert stats["errors"].get("insufficient_stock", 0) > 0, "the scarce SKUs were raced for and ran out"
