/*
 * Benchmark: channel intake.
 *  1. Bulk intake: ORDERS orders of LINES lines as CSV channel events (one event per order) through
 *     oc_exec_batch, BATCH events per transaction, against the floor: a hand-written C program inserting
 *     the same orders and lines (one row each, plus one ledger row per line) with prepared statements in
 *     transactions of the same size. Order lines per second, the ratio, and peak memory (ru_maxrss).
 *  2. Single events: a Shopify-sized order JSON (about 6 KB, 10 lines) ingested one oc_exec at a time
 *     (its own transaction), per second, median latency.
 *  3. One payload of 5 MB (a CSV export of 12 orders x 1,000 lines): seconds to ingest.
 *  4. With ORDERCORE_SHELL set (the shell's path; make bench sets it), the orders of part 1 as a CSV file
 *     taken in by the shell's `.import` (its own process, 500 orders per transaction) against the floor in
 *     batches of 500: lines per second, the ratio, and the shell's peak memory.
 *
 *   make bench      (or: intake [ORDERS] [LINES] [BATCH])
 * Each figure is the median of ROUNDS rounds, OrderCore and the floor alternating, same disk, same run.
 *
 * With ORDERCORE_TEST_POSTGRESQL set (a server URI with {db}; make bench runs it so through
 * Tests/sql/with_postgresql.py), the same four on PostgreSQL, each round on fresh databases; the floor
 * there sends each batch as one statement (multi-row INSERTs from arrays), in one round trip.
 */
#include "floor.h"
#include "pgbench.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 3
#define SKUS 200

/* A file path, or on PostgreSQL the URI of a fresh database named so. */
static const char *database(const char *name) {
    static char uris[8][1024];
    static int next;
    const char *template = getenv("ORDERCORE_TEST_POSTGRESQL");
    if (!template) {
        remove_database(name);
        return name;
    }
    char *uri = uris[next++ % 8], db[64];
    snprintf(db, sizeof db, "%.*s_%d", (int)strcspn(name, "."), name, next);
    for (char *c = db; *c; c++) if (*c == '-') *c = '_';
    pg_database(template, db, uri, sizeof uris[0]);
    return uri;
}

static oc_db *open_shop(const char *path) {
    oc_db *db = NULL;
    if (oc_open(path, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    char request[256];
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    for (int s = 0; s < SKUS; s++) {
        snprintf(request, sizeof request, "{\"op\":\"sku.upsert\",\"sku\":\"SKU-%d\"}", s);
        oc_exec(db, request, NULL);
        snprintf(request, sizeof request, "SKU-%d", s);
        oc_stock_receive(db, request, "SH", 1000000000);
    }
    oc_exec(db, "{\"op\":\"channel.upsert\",\"channel\":\"shop\",\"profile\":\"csv\"}", NULL);
    oc_exec(db, "{\"op\":\"channel.upsert\",\"channel\":\"shopify\",\"profile\":\"shopify\"}", NULL);
    return db;
}

/* Appends one order's CSV event (JSON-escaped newlines) to buf as an intake.ingest request. */
static int csv_event(char *buf, size_t size, int order, int lines) {
    int n = snprintf(buf, size, "{\"op\":\"intake.ingest\",\"channel\":\"shop\",\"payload\":\"order_id,placed_at,currency,status,sku,qty,unit_price");
    for (int l = 0; l < lines; l++)
        n += snprintf(buf + n, size - n, "\\nB-%d,2026-01-18T10:00:00Z,CNY,paid,SKU-%d,1,19.90", order, (order * 7 + l) % SKUS);
    n += snprintf(buf + n, size - n, "\"}");
    return n;
}

static double ordercore_bulk(int orders, int lines, int batch) {
    oc_db *db = open_shop(database("bench-intake.db"));
    size_t cap = (size_t)batch * (lines * 64 + 256) + 16;
    char *requests = malloc(cap);
    double start = now();
    for (int first = 0; first < orders; first += batch) {
        size_t n = 0;
        requests[n++] = '[';
        for (int i = first; i < first + batch && i < orders; i++) {
            if (i > first) requests[n++] = ',';
            n += csv_event(requests + n, cap - n, i, lines);
        }
        requests[n++] = ']';
        requests[n] = '\0';
        char *response = NULL;
        if (oc_exec_batch(db, requests, OC_BATCH_EACH, &response) != OC_OK) die("oc_exec_batch", oc_errmsg(db));
        if (strstr(response, "dead_letter")) die("bulk intake", "an event became a dead letter");
        oc_free(response);
    }
    double rate = (double)orders * lines / (now() - start);
    free(requests);
    oc_close(db);
    return rate;
}

/* The floor on PostgreSQL: each batch one statement, its rows sent as arrays (one round trip). */
static double floor_bulk_pg(const char *uri, int orders, int lines, int batch) {
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) die("connect", PQerrorMessage(c));
    pg_exec_or_die(c, "CREATE TABLE orders(id BIGINT PRIMARY KEY, external_id TEXT UNIQUE, state TEXT, total BIGINT);"
                      "CREATE TABLE lines(order_id BIGINT, line_no INT, sku TEXT, qty BIGINT, price BIGINT,"
                      "  PRIMARY KEY (order_id, line_no));"
                      "CREATE TABLE ledger(id BIGSERIAL PRIMARY KEY, sku TEXT, delta BIGINT, ref TEXT);");
    size_t cap = (size_t)batch * lines * 24 + 16;
    char *arrays[6];
    for (int a = 0; a < 6; a++) arrays[a] = malloc(cap);
    double start = now();
    for (int first = 0; first < orders; first += batch) {
        size_t n[6] = {0};
        for (int a = 0; a < 6; a++) arrays[a][n[a]++] = '{';
        for (int i = first; i < first + batch && i < orders; i++) {
            const char *comma = i > first ? "," : "";
            n[0] += snprintf(arrays[0] + n[0], cap - n[0], "%s%d", comma, i + 1);
            n[1] += snprintf(arrays[1] + n[1], cap - n[1], "%sB-%d", comma, i);
            n[2] += snprintf(arrays[2] + n[2], cap - n[2], "%s%d", comma, 1990 * lines);
            for (int l = 0; l < lines; l++) {
                comma = i > first || l ? "," : "";
                n[3] += snprintf(arrays[3] + n[3], cap - n[3], "%s%d", comma, i + 1);
                n[4] += snprintf(arrays[4] + n[4], cap - n[4], "%s%d", comma, l + 1);
                n[5] += snprintf(arrays[5] + n[5], cap - n[5], "%sSKU-%d", comma, (i * 7 + l) % SKUS);
            }
        }
        for (int a = 0; a < 6; a++) snprintf(arrays[a] + n[a], cap - n[a], "}");
        const char *values[] = {arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5]};
        PGresult *r = PQexecParams(
            c,
            "WITH o AS (INSERT INTO orders SELECT unnest($1::bigint[]), unnest($2::text[]), 'paid', unnest($3::bigint[])),"
            " l AS (INSERT INTO lines SELECT unnest($4::bigint[]), unnest($5::int[]), unnest($6::text[]), 1, 1990)"
            " INSERT INTO ledger(sku, delta, ref) SELECT unnest($6::text[]), 1, 'B-' || (unnest($4::bigint[]) - 1)",
            6, NULL, values, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) die("floor batch", PQerrorMessage(c));
        PQclear(r);
    }
    double rate = (double)orders * lines / (now() - start);
    for (int a = 0; a < 6; a++) free(arrays[a]);
    PQfinish(c);
    return rate;
}

static double floor_bulk(int orders, int lines, int batch) {
    const char *path = database("bench-intake-floor.db");
    if (getenv("ORDERCORE_TEST_POSTGRESQL")) return floor_bulk_pg(path, orders, lines, batch);
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sql_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE orders(id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, state TEXT, total INTEGER);"
                     "CREATE TABLE lines(order_id INTEGER, line_no INTEGER, sku TEXT, qty INTEGER, price INTEGER, PRIMARY KEY(order_id, line_no)) WITHOUT ROWID;"
                     "CREATE TABLE ledger(id INTEGER PRIMARY KEY, sku TEXT, delta INTEGER, ref TEXT);");
    sqlite3_stmt *order = prepare(db, "INSERT INTO orders(external_id, state, total) VALUES (?, 'paid', ?)");
    sqlite3_stmt *line = prepare(db, "INSERT INTO lines VALUES (?, ?, ?, 1, 1990)");
    sqlite3_stmt *ledger = prepare(db, "INSERT INTO ledger(sku, delta, ref) VALUES (?, 1, ?)");
    double start = now();
    char ext[32], sku[32];
    for (int first = 0; first < orders; first += batch) {
        sql_exec(db, "BEGIN IMMEDIATE");
        for (int i = first; i < first + batch && i < orders; i++) {
            snprintf(ext, sizeof ext, "B-%d", i);
            sqlite3_bind_text(order, 1, ext, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(order, 2, 1990LL * lines);
            step(order);
            sqlite3_int64 id = sqlite3_last_insert_rowid(db);
            for (int l = 0; l < lines; l++) {
                snprintf(sku, sizeof sku, "SKU-%d", (i * 7 + l) % SKUS);
                sqlite3_bind_int64(line, 1, id);
                sqlite3_bind_int(line, 2, l + 1);
                sqlite3_bind_text(line, 3, sku, -1, SQLITE_TRANSIENT);
                step(line);
                sqlite3_bind_text(ledger, 1, sku, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(ledger, 2, ext, -1, SQLITE_TRANSIENT);
                step(ledger);
            }
        }
        sql_exec(db, "COMMIT");
    }
    double rate = (double)orders * lines / (now() - start);
    sqlite3_finalize(order);
    sqlite3_finalize(line);
    sqlite3_finalize(ledger);
    sqlite3_close(db);
    return rate;
}

/* `.import` of the bulk orders as one CSV file by the shell (ORDERCORE_SHELL), in its own process, into a
 * shop set up as for part 1 with the OS user as its supervisor. - Returns: lines per second; *peak_kb gets
 * the shell's peak memory. */
static double shell_import(const char *shell, int orders, int lines, long *peak_kb) {
    const char *file = "bench-import.csv";
    FILE *csv = fopen(file, "w");
    if (!csv) die("fopen", file);
    fprintf(csv, "order_id,placed_at,currency,status,sku,qty,unit_price\n");
    for (int i = 0; i < orders; i++)
        for (int l = 0; l < lines; l++)
            fprintf(csv, "B-%d,2026-01-18T10:00:00Z,CNY,paid,SKU-%d,1,19.90\n", i, (i * 7 + l) % SKUS);
    fclose(csv);
    const char *path = database("bench-import.db");
    oc_db *db = open_shop(path);
    char request[256];
    snprintf(request, sizeof request, "{\"op\":\"actor.upsert\",\"actor_id\":\"%s\",\"role\":\"supervisor\"}",
             getpwuid(getuid())->pw_name);
    if (oc_exec(db, request, NULL) != OC_OK) die("actor.upsert", oc_errmsg(db));
    oc_close(db);
    double start = now();
    pid_t child = fork();
    if (child == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execl(shell, shell, path, "--bail", "-c", ".import bench-import.csv --channel shop", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (child < 0 || wait4(child, &status, 0, &usage) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die(".import", "the shell failed");
    double rate = (double)orders * lines / (now() - start);
    *peak_kb = usage.ru_maxrss;
    remove(file);
    return rate;
}

/* A Shopify-sized order: 10 line items with the fields Shopify sends, about 6 KB. */
static void shopify_order(char *buf, size_t size, int id) {
    int n = snprintf(buf, size, "{\"op\":\"intake.ingest\",\"channel\":\"shopify\",\"payload\":{\"id\":%d,\"created_at\":\"2026-01-18T10:00:00-05:00\","
                     "\"currency\":\"USD\",\"financial_status\":\"paid\",\"email\":\"buyer%d@example.com\",\"total_price\":\"209.90\","
                     "\"taxes_included\":false,\"tags\":\"vip, web\",\"note\":\"leave at the door\","
                     "\"shipping_address\":{\"name\":\"Steve Shipper\",\"address1\":\"123 Shipping Street\",\"city\":\"Shippington\","
                     "\"province\":\"Kentucky\",\"country_code\":\"US\",\"zip\":\"40003\",\"phone\":\"555-555-%04d\"},"
                     "\"shipping_lines\":[{\"price\":\"10.00\",\"title\":\"Standard\",\"tax_lines\":[]}],\"line_items\":[", id, id, id % 10000);
    for (int l = 0; l < 10; l++)
        n += snprintf(buf + n, size - n, "%s{\"id\":%d%02d,\"sku\":\"SKU-%d\",\"name\":\"Product %d - Variant %d\",\"title\":\"Product %d\","
                      "\"quantity\":1,\"price\":\"19.99\",\"grams\":200,\"requires_shipping\":true,\"taxable\":true,\"vendor\":\"Acme\","
                      "\"product_id\":788032119674292922,\"variant_id\":39072856,\"fulfillment_service\":\"manual\",\"gift_card\":false,"
                      "\"total_discount\":\"0.00\",\"discount_allocations\":[],\"tax_lines\":[],\"properties\":[]}",
                      l ? "," : "", id, l, (id + l) % SKUS, l, l, l);
    snprintf(buf + n, size - n, "]}}");
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 20000, lines = argc > 2 ? atoi(argv[2]) : 5, batch = argc > 3 ? atoi(argv[3]) : 1000;
    double oc[ROUNDS], fl[ROUNDS], ratio[ROUNDS];
    const char *engine = getenv("ORDERCORE_TEST_POSTGRESQL") ? "PostgreSQL" : "SQLite, synchronous=FULL";
    printf("bulk intake: %d orders x %d lines as CSV events, %d events per oc_exec_batch (%s)\n", orders, lines, batch,
           engine);
    for (int r = 0; r < ROUNDS; r++) {
        oc[r] = ordercore_bulk(orders, lines, batch);
        fl[r] = floor_bulk(orders, lines, batch);
        ratio[r] = oc[r] / fl[r];
        printf("  round %d: OrderCore %8.0f lines/s   floor %9.0f lines/s   ratio %.3f\n", r + 1, oc[r], fl[r], ratio[r]);
    }
    printf("  median: OrderCore %.0f lines/s, floor %.0f lines/s, ratio %.3f (target: >= 100000 lines/s)\n",
           median(oc, ROUNDS), median(fl, ROUNDS), median(ratio, ROUNDS));

    oc_db *db = open_shop(database("bench-intake-single.db"));
    static char request[16384];
    enum { EVENTS = 2000 };
    static double latency[EVENTS];
    shopify_order(request, sizeof request, 0);
    size_t payload_size = strlen(request);
    double start = now();
    for (int i = 0; i < EVENTS; i++) {
        shopify_order(request, sizeof request, i + 1);
        double t = now();
        char *response = NULL;
        if (oc_exec(db, request, &response) != OC_OK || !strstr(response, "\"applied\"")) die("single ingest", response ? response : oc_errmsg(db));
        oc_free(response);
        latency[i] = now() - t;
    }
    double rate = EVENTS / (now() - start);
    printf("single events: %d Shopify orders of %zu bytes, one transaction each: %.0f events/s, median %.2f ms\n",
           EVENTS, payload_size, rate, median(latency, EVENTS) * 1000);

    size_t cap = 6u << 20;
    char *big = malloc(cap);
    int n = snprintf(big, cap, "{\"op\":\"intake.ingest\",\"channel\":\"shop\",\"payload\":\"order_id,placed_at,currency,status,sku,qty,unit_price,ship_line1");
    char filler[421];
    memset(filler, 'x', 420);
    filler[420] = '\0';
    for (int i = 0; i < 12000; i++)
        n += snprintf(big + n, cap - n, "\\nBIG-%d,2026-01-18T10:00:00Z,CNY,paid,SKU-%d,1,1.00,%s", i / 1000, i % SKUS, filler);
    snprintf(big + n, cap - n, "\"}");
    double times[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        char *response = NULL;
        big[strlen("{\"op\":\"intake.ingest\",\"channel\":\"shop\",\"payload\":\"order_id,placed_at,currency,status,sku,qty,unit_price,ship_line1\\nBIG-")] = 'A' + r;
        double t = now();
        if (oc_exec(db, big, &response) != OC_OK || !strstr(response, "\"applied\"")) die("5 MB ingest", response ? response : oc_errmsg(db));
        times[r] = now() - t;
        oc_free(response);
    }
    printf("one payload of %.1f MB (12 orders x 1,000 lines): median %.2f s to ingest\n", n / 1048576.0, median(times, ROUNDS));
    free(big);
    oc_close(db);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("peak memory (ru_maxrss) of this process: %.1f MB\n", usage.ru_maxrss / 1024.0);

    const char *shell = getenv("ORDERCORE_SHELL");
    if (!shell) return 0;
    enum { IMPORT_BATCH = 500 };
    long peak[ROUNDS];
    printf(".import: %d orders x %d lines in a CSV file, by the shell (%d orders per transaction)\n", orders, lines,
           IMPORT_BATCH);
    for (int r = 0; r < ROUNDS; r++) {
        oc[r] = shell_import(shell, orders, lines, &peak[r]);
        fl[r] = floor_bulk(orders, lines, IMPORT_BATCH);
        ratio[r] = oc[r] / fl[r];
        printf("  round %d: .import %8.0f lines/s   floor %9.0f lines/s   ratio %.3f   shell peak memory %.1f MB\n", r + 1,
               oc[r], fl[r], ratio[r], peak[r] / 1024.0);
    }
    printf("  median: .import %.0f lines/s, floor %.0f lines/s, ratio %.3f (target: >= 100000 lines/s, >= 0.25)\n",
           median(oc, ROUNDS), median(fl, ROUNDS), median(ratio, ROUNDS));
    return 0;
}
