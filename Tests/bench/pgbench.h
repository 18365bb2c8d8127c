/* Helpers for the benchmarks that run on PostgreSQL (link with -lpq): a fresh database per run. */
#ifndef ORDERCORE_PGBENCH_H
#define ORDERCORE_PGBENCH_H
#include "bench.h"
#include <postgresql/libpq-fe.h>

static inline void pg_exec_or_die(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, PQerrorMessage(c));
    PQclear(r);
}

/* Creates database `name` on the server of `template` (a URI with {db} for the database name, as
 * ORDERCORE_TEST_POSTGRESQL has it) and writes its URI to uri. */
static inline void pg_database(const char *template, const char *name, char *uri, size_t size) {
    char admin[1024], sql[256];
    const char *at = strstr(template, "{db}");
    if (!at) die("ORDERCORE_TEST_POSTGRESQL", "has no {db}");
    snprintf(admin, sizeof admin, "%.*spostgres%s", (int)(at - template), template, at + 4);
    snprintf(uri, size, "%.*s%s%s", (int)(at - template), template, name, at + 4);
    PGconn *c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK) die("connect", PQerrorMessage(c));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    pg_exec_or_die(c, sql);
    PQfinish(c);
}
#endif
