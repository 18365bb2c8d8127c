"""The translation Tests/sql/portable.py applies before PostgreSQL prepares the Store's statements."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "sql"))
import portable  # noqa: E402


def test_placeholders_are_numbered_as_sqlite_numbers_them():
    assert portable.placeholders("a = ? AND b = ?") == "a = $1 AND b = $2"
    assert portable.placeholders("a = ?2 AND b = ?1 AND c = ?2") == "a = $2 AND b = $1 AND c = $2"
    assert portable.placeholders("a = ?3 AND b = ?") == "a = $3 AND b = $4"        # ? takes the largest + 1
    assert portable.placeholders("note = 'why?' AND \"odd?\" = ?") == "note = 'why?' AND \"odd?\" = $1"
    assert portable.placeholders("x = 'it''s?' OR y = ?") == "x = 'it''s?' OR y = $1"


def test_the_dialects_renderings_are_mirrored():
    assert portable.for_postgresql("SELECT GROUP_CONCAT(r.warehouse) FROM r") == \
        "SELECT STRING_AGG(r.warehouse, ',') FROM r"
    assert portable.for_postgresql("SELECT length(CAST(payload AS BLOB)) FROM inbox") == \
        "SELECT octet_length(payload) FROM inbox"
    assert portable.for_postgresql("SUM(MAX(0, a - MIN(b, c))), MAX(d), MIN(f(x, y))") == \
        "SUM(GREATEST(0, a - LEAST(b, c))), MAX(d), MIN(f(x, y))"
    assert portable.for_postgresql("MIN(SUM(q), MAX(0, a - b)) WHERE x = ?") == \
        "LEAST(SUM(q), GREATEST(0, a - b)) WHERE x = $1"
