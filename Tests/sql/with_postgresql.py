"""Runs a command with a throwaway PostgreSQL server (pgcluster.Cluster) and ORDERCORE_TEST_POSTGRESQL set
to its URI, `{db}` standing for the database name: `make test-postgresql` runs the Swift suite so, each
test on a fresh database of that server.

    with_postgresql.py [--tcp] COMMAND [ARG...]

With --tcp the server also listens on loopback and the URI names 127.0.0.1 (the benchmarks' setting);
without it, only a Unix socket in the server's directory.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import pgcluster  # noqa: E402

if __name__ == "__main__":
    tcp = sys.argv[1:2] == ["--tcp"]
    command = sys.argv[2:] if tcp else sys.argv[1:]
    if not command:
        sys.exit(__doc__)
    reason = pgcluster.available()
    if reason:
        sys.exit(f"with_postgresql.py: cannot start PostgreSQL: {reason}")
    with pgcluster.Cluster(max_connections=300, tcp=tcp) as cluster:
        env = dict(os.environ, ORDERCORE_TEST_POSTGRESQL=cluster.uri("{db}"))
        sys.exit(subprocess.run(command, env=env).returncode)
