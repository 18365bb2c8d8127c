"""Proves the Store's SQL portable (issue 18, part 1): every statement text the Swift suite prepared on
SQLite — the ORDERCORE_SQL_LOG file, NUL-separated — is prepared by a real PostgreSQL server, on the
schema of a fresh OrderCore database translated mechanically (64-bit integers, no WITHOUT ROWID; the
triggers are left out). Statements of the SQLite connection layer itself (PRAGMAs, transactions, query
plans, the schema catalogue) are not the Store's and are skipped. Prints each statement PostgreSQL
refuses, with its error, and exits 1 when there is any.

    portable.py SQL_LOG        (ORDERCORE_LIBRARY and PYTHONPATH as for the Python tests)
"""
import os
import re
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import pgcluster  # noqa: E402

import ordercore  # noqa: E402

CONNECTION_LAYER = re.compile(r"^\s*(PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN)\b|sqlite_master|sqlite_schema",
                              re.IGNORECASE)


# SQLDialect's renderings (Sources/OrderCore/Store/SQLDialect.swift): the log holds the SQLite ones;
# PostgreSQL is given what `.postgresql` writes (and two_argument_max_min below for greatest/least).
# DatabaseTests checks the Swift side of this mirror.
DIALECT = [
    (re.compile(r"GROUP_CONCAT\(([^()]*)\)"), r"STRING_AGG(\1, ',')"),
    (re.compile(r"length\(CAST\(([^()]*) AS BLOB\)\)"), r"octet_length(\1)"),
]


def two_argument_max_min(sql):
    """SQLite's scalar MAX(a, b) and MIN(a, b) (two arguments at the top level) as GREATEST and LEAST."""
    out, i = [], 0
    for match in re.finditer(r"\b(MAX|MIN)\(", sql):
        if match.start() < i:
            continue
        depth, commas, end = 1, 0, match.end()
        while end < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            commas += sql[end] == "," and depth == 1
            end += 1
        if commas == 1:
            inner = two_argument_max_min(sql[match.end():end - 1])
            out.append(sql[i:match.start()] + ("GREATEST(" if match.group(1) == "MAX" else "LEAST(") + inner + ")")
            i = end
    return "".join(out) + sql[i:]


def for_postgresql(sql):
    for pattern, rendering in DIALECT:
        sql = pattern.sub(rendering, sql)
    return placeholders(two_argument_max_min(sql))


def placeholders(sql):
    """SQLite's ? and ?N as PostgreSQL's $N (a bare ? takes the largest number so far plus one), outside
    string literals and quoted names."""
    out, i, largest = [], 0, 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < len(sql):
                if sql[end] == c:
                    if end + 1 < len(sql) and sql[end + 1] == c:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1])
            i = end + 1
        elif c == "?":
            digits = re.match(r"\d*", sql[i + 1:]).group()
            number = int(digits) if digits else largest + 1
            largest = max(largest, number)
            out.append(f"${number}")
            i += 1 + len(digits)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def schema():
    """The CREATE TABLE and CREATE INDEX statements of a fresh OrderCore database, for PostgreSQL."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "schema.db")
        ordercore.open(path).close()
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index') "
                              "ORDER BY type = 'index', rowid").fetchall()
    statements = []
    for _, _, sql in rows:
        sql = re.sub(r"\bWITHOUT ROWID\b", "", sql)
        sql = re.sub(r"\bAUTOINCREMENT\b", "", sql)
        statements.append(re.sub(r"\bINTEGER\b", "BIGINT", sql))
    return statements


def main(log):
    with open(log, "rb") as f:
        texts = sorted({t.decode() for t in f.read().split(b"\0") if t.strip()})
    store = [t for t in texts if not CONNECTION_LAYER.search(t)]
    if not store:
        sys.exit(f"portable.py: no statements in {log} (run the Swift tests with ORDERCORE_SQL_LOG set)")
    refused = []
    with pgcluster.Cluster() as cluster:
        pg = cluster.connect()
        for statement in schema():
            problem = pg.run(statement)
            if problem:
                refused.append(("schema", statement, problem))
        for text in store:
            problem = pg.prepare(for_postgresql(text))
            if problem:
                refused.append(("store", text, problem))
        pg.close()
    for kind, text, (state, message) in refused:
        print(f"--- {kind} statement refused by PostgreSQL ({state}): {message}\n{text.strip()}\n")
    print(f"portable SQL: {len(store) - sum(k == 'store' for k, _, _ in refused)} of {len(store)} distinct Store "
          f"statements prepared by PostgreSQL ({len(texts) - len(store)} of the SQLite connection layer skipped)")
    return 1 if refused else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    reason = pgcluster.available()
    if reason:
        sys.exit(f"portable.py: cannot start PostgreSQL: {reason}")
    sys.exit(main(sys.argv[1]))
