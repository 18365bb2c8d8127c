"""Runs a command with a throwaway PostgreSQL server (pgcluster.Cluster) and ORDERCORE_TEST_POSTGRESQL set
to its URI, `{db}` standing for the database name: `make test-postgresql` runs the Swift suite so, each
test on a fresh database of that server.

    with_postgresql.py COMMAND [ARG...]
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import pgcluster  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    reason = pgcluster.available()
    if reason:
        sys.exit(f"with_postgresql.py: cannot start PostgreSQL: {reason}")
    with pgcluster.Cluster(max_connections=300) as cluster:
        env = dict(os.environ, ORDERCORE_TEST_POSTGRESQL=(
            f"postgresql://ordercore@/{{db}}?host={cluster.dir}&port={cluster.port}"))
        sys.exit(subprocess.run(sys.argv[1:], env=env).returncode)
