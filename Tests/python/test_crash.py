"""The short crash run of `make test`: the workload SIGKILLed at random moments, every promise checked
after each kill (crash_harness.py; `make soak` runs it long)."""
import crash_harness


def test_killed_at_random_points_nothing_committed_is_lost_nothing_is_half_applied(tmp_path):
    failures, stats = crash_harness.run(kills=8, seed=2026, directory=tmp_path)
    print(f"\n{stats}")
    assert failures == []
    assert stats["kills"] == 8 and stats["ok_commands"] > 0
