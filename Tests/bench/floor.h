/* Helpers of the hand-written SQLite programs the benchmarks compare OrderCore with (the floors). */
#ifndef ORDERCORE_BENCH_FLOOR_H
#define ORDERCORE_BENCH_FLOOR_H
#include "bench.h"
#include <sqlite3.h>

/* A statement prepared once and kept, as OrderCore keeps its own. */
static inline sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) die(sql, sqlite3_errmsg(db));
    return s;
}

/* Runs SQL text (schema, seeding), stopping the benchmark on an error. */
static inline void sql_exec(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) die(sql, error);
}

/* Runs a statement to its end and resets it for the next use. */
static inline void step(sqlite3_stmt *s) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) die("step", sqlite3_errmsg(sqlite3_db_handle(s)));
    sqlite3_reset(s);
}
#endif
