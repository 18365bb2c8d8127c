/* Tests of libordercore.so through its C interface only, as an ERP/WMS program would use it.
 * Prints one line per check and "N passed, N failed"; exits non-zero on any failure.
 * With ORDERCORE_TEST_POSTGRESQL set (a server URI with {db} for the database name, as
 * Tests/sql/with_postgresql.py sets it) every test runs on a fresh PostgreSQL database instead of an
 * SQLite file; the tests of what only an SQLite file has are skipped. */
#include <ordercore.h>
#include <postgresql/libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;
/* ORDERCORE_TEST_POSTGRESQL, or NULL: the tests run on SQLite. */
static const char *postgresql;

#define CHECK(cond, ...) do { \
    if (cond) { passed++; } else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

/* The database a test opens: `name` (an SQLite file, or ":memory:"), or with ORDERCORE_TEST_POSTGRESQL a
 * fresh PostgreSQL database of its own. The text stays valid until the program ends. */
static const char *test_db(const char *name) {
    if (!postgresql) return name;
    static char uris[32][512];
    static int n;
    const char *at = strstr(postgresql, "{db}");
    if (!at || n == 32) { printf("ORDERCORE_TEST_POSTGRESQL needs {db}; at most 32 databases\n"); exit(2); }
    char database[64], admin[512], sql[128];
    snprintf(database, sizeof database, "abi_%d_%d", (int)getpid(), n);
    snprintf(admin, sizeof admin, "%.*spostgres%s", (int)(at - postgresql), postgresql, at + 4);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", database);
    PGconn *c = PQconnectdb(admin);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) { printf("%s: %s\n", sql, PQerrorMessage(c)); exit(2); }
    PQclear(r);
    PQfinish(c);
    snprintf(uris[n], sizeof uris[n], "%.*s%s%s", (int)(at - postgresql), postgresql, database, at + 4);
    return uris[n++];
}

/* Runs a request and returns its code; the response (if wanted) is copied into out. */
static int run(oc_db *db, const char *json, char *out, size_t size) {
    char *response = NULL;
    int rc = oc_exec(db, json, &response);
    if (out && size) { out[0] = '\0'; if (response) { strncpy(out, response, size - 1); out[size - 1] = '\0'; } }
    oc_free(response);
    return rc;
}

static void order_id_of(const char *response, char *out) {
    const char *p = strstr(response, "\"order_id\":\"");
    int n = 0;
    if (p) for (p += 12; *p && *p != '"' && n < 31; p++) out[n++] = *p;
    out[n] = '\0';
}

static int64_t available(oc_db *db, const char *sku) {
    int64_t n = -1;
    oc_stock_available(db, sku, NULL, &n);
    return n;
}

/* ISO 8601 UTC time `offset` seconds from now. */
static void iso_time(char *out, size_t size, long offset) {
    time_t t = time(NULL) + offset;
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

static void setup_catalog(oc_db *db, int64_t units) {
    run(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\",\"name\":\"Mug\"}", NULL, 0);
    run(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\",\"priority\":1}", NULL, 0);
    if (units > 0) oc_stock_receive(db, "A1", "SH", units);
}

static const char *one_unit = "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}";

static void test_version(void) {
    CHECK(strcmp(oc_version(), OC_VERSION) == 0, "oc_version %s != %s", oc_version(), OC_VERSION);
    CHECK(oc_version_number() == OC_VERSION_NUMBER, "oc_version_number");
    CHECK(strcmp(oc_errstr(OC_INSUFFICIENT_STOCK), "insufficient stock") == 0, "oc_errstr");
    CHECK(strcmp(oc_errstr(12345), "unknown error code") == 0, "oc_errstr unknown");
    CHECK(strcmp(oc_errstr(OC_OK), "not an error") == 0, "oc_errstr ok");
}

static void test_null_arguments(void) {
    oc_db *db = NULL;
    CHECK(oc_open(":memory:", NULL) == OC_MISUSE, "NULL db_out");
    CHECK(oc_open(NULL, &db) == OC_MISUSE && db != NULL, "NULL path gives a handle reporting misuse");
    CHECK(strstr(oc_errmsg(db), "path") != NULL, "message names the path: %s", oc_errmsg(db));
    CHECK(oc_exec(db, "{\"op\":\"sweep\"}", NULL) == OC_MISUSE, "a failed handle refuses commands");
    oc_close(db);
    CHECK(oc_close(NULL) == OC_OK, "oc_close(NULL)");
    oc_free(NULL);
    CHECK(oc_errmsg(NULL) != NULL, "oc_errmsg(NULL)");

    CHECK(oc_open(test_db(":memory:"), &db) == OC_OK, "open memory");
    char *response = (char *)1;
    CHECK(oc_exec(NULL, "{}", &response) == OC_MISUSE && response == NULL, "oc_exec NULL handle clears the out pointer");
    CHECK(oc_exec(db, NULL, &response) == OC_MISUSE, "oc_exec NULL request");
    CHECK(oc_stock_receive(db, NULL, "SH", 1) == OC_MISUSE, "receive NULL sku");
    CHECK(oc_stock_available(db, "A1", NULL, NULL) == OC_MISUSE, "available NULL out");
    CHECK(oc_order_state(db, "SO-1", NULL) == OC_MISUSE, "state NULL out");
    CHECK(oc_order_pay(NULL, "SO-1", NULL, NULL) == OC_MISUSE, "pay NULL handle");
    CHECK(oc_order_cancel(db, NULL, NULL) == OC_MISUSE, "cancel NULL order");
    CHECK(oc_sweep(db, NULL) == OC_OK, "sweep with NULL out is fine");
    oc_close(db);
}

static void test_bad_requests(void) {
    oc_db *db = NULL;
    char out[4096];
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    CHECK(run(db, "{\"op\":", out, sizeof out) == OC_INVALID && strstr(out, "\"invalid_input\""), "malformed JSON: %s", out);
    CHECK(run(db, "[1,2]", out, sizeof out) == OC_INVALID, "not an object");
    CHECK(run(db, "{\"op\":\"order.teleport\"}", out, sizeof out) == OC_INVALID && strstr(out, "unknown op"), "unknown op: %s", out);
    CHECK(run(db, "{\"op\":\"stock.get\",\"sku\":\"A\xff\"}", out, sizeof out) == OC_INVALID && strstr(out, "UTF-8"), "invalid UTF-8: %s", out);
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":0}", out, sizeof out) == OC_INVALID, "zero qty");
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":-3}", out, sizeof out) == OC_INVALID, "negative qty");
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":\"3\"}", out, sizeof out) == OC_INVALID, "qty as string");
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":99999999999999999999}", out, sizeof out) == OC_INVALID,
          "qty beyond Int64: %s", out);
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":1,\"qyt\":2}", out, sizeof out) == OC_INVALID
          && strstr(out, "qyt"), "unknown field named: %s", out);
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\"}", out, sizeof out) == OC_INVALID
          && strstr(out, "\"field\":\"qty\"") && strstr(out, "qty is required"), "missing argument named: %s", out);
    {
        char *vocabulary = NULL;
        CHECK(oc_exec(db, "{\"op\":\"ops\"}", &vocabulary) == OC_OK && vocabulary
              && strstr(vocabulary, "\"name\":\"order.pay\"") && strstr(vocabulary, "\"c_name\":\"OC_INSUFFICIENT_STOCK\""),
              "ops lists the vocabulary and the error codes");
        oc_free(vocabulary);
    }
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"NOPE\",\"warehouse\":\"SH\",\"qty\":1}", out, sizeof out) == OC_NOT_FOUND, "unknown SKU");
    CHECK(run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"XX\",\"qty\":1}", out, sizeof out) == OC_NOT_FOUND, "unknown warehouse");
    CHECK(oc_stock_receive(db, "A1", "SH", INT64_MAX) == OC_INVALID, "on_hand overflow refused: %s", oc_errmsg(db));
    CHECK(oc_stock_receive(db, "A\xc3", "SH", 1) == OC_INVALID, "typed argument with invalid UTF-8");
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"92233720368547758.08\"}]}", out, sizeof out) == OC_INVALID,
          "money beyond Int64: %s", out);
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":2,\"unit_price\":\"-1.00\"}]}", out, sizeof out) == OC_INVALID, "negative money");
    /* Nested 100,000 deep, a control character in a code, a 20 MB string: refused, no crash. */
    size_t depth = 100000, size = 2 * depth + 64;
    char *deep = malloc(size), *big = malloc((20u << 20) + 128);
    int n = sprintf(deep, "{\"op\":\"order.create\",\"lines\":");
    memset(deep + n, '[', depth);
    memset(deep + n + depth, ']', depth);
    strcpy(deep + n + 2 * depth, "}");
    CHECK(run(db, deep, out, sizeof out) == OC_INVALID, "JSON nested 100,000 deep: %.120s", out);
    CHECK(run(db, "{\"op\":\"sku.upsert\",\"sku\":\"A\\u0001B\",\"name\":\"x\"}", out, sizeof out) == OC_INVALID,
          "a control character in a SKU: %s", out);
    n = sprintf(big, "{\"op\":\"sku.upsert\",\"sku\":\"B9\",\"name\":\"");
    memset(big + n, 'x', 20u << 20);
    strcpy(big + n + (20u << 20), "\"}");
    CHECK(run(db, big, out, sizeof out) == OC_INVALID, "a 20 MB name: %.120s", out);
    free(deep);
    free(big);
    CHECK(run(db, "{\"op\":\"sku.upsert\",\"sku\":\"B8\",\"name\":\"x'); DROP TABLE orders;--\"}", out, sizeof out) == OC_OK
          && strstr(out, "DROP TABLE orders;--"), "SQL-looking text is stored literally: %s", out);
    CHECK(available(db, "A1") == 5, "bad requests changed nothing: %lld", (long long)available(db, "A1"));
    oc_close(db);
}

static void test_open_errors(void) {
    oc_db *db = NULL;
    CHECK(oc_open("/nonexistent-dir/x/orders.db", &db) == OC_IO && db != NULL, "missing directory is OC_IO");
    CHECK(strstr(oc_errmsg(db), "directory") != NULL, "message: %s", oc_errmsg(db));
    oc_close(db);

    FILE *f = fopen("not-a-db.db", "w");
    for (int i = 0; i < 64; i++) fputs("this is not a database file at all ", f);
    fclose(f);
    CHECK(oc_open("not-a-db.db", &db) == OC_CORRUPT, "garbage file is OC_CORRUPT: %s", oc_errmsg(db));
    oc_close(db);

    sqlite3 *raw;
    unlink("foreign.db");
    sqlite3_open("foreign.db", &raw);
    sqlite3_exec(raw, "CREATE TABLE customers(id)", NULL, NULL, NULL);
    sqlite3_close(raw);
    CHECK(oc_open("foreign.db", &db) == OC_INCOMPATIBLE, "another program's database: %s", oc_errmsg(db));
    oc_close(db);
    /* Refused unchanged: still in its own journal mode (WAL persists in a file, and its program may not read it). */
    sqlite3_open("foreign.db", &raw);
    char journal[16] = "";
    sqlite3_stmt *mode;
    sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &mode, NULL);
    if (sqlite3_step(mode) == SQLITE_ROW) snprintf(journal, sizeof journal, "%s", sqlite3_column_text(mode, 0));
    sqlite3_finalize(mode);
    sqlite3_close(raw);
    CHECK(strcmp(journal, "delete") == 0, "another program's database keeps its journal mode: %s", journal);

    unlink("newer.db");
    oc_open("newer.db", &db);
    oc_close(db);
    sqlite3_open("newer.db", &raw);
    sqlite3_exec(raw, "INSERT INTO schema_migrations(seq, name, applied_at) VALUES (999, '9999_from_the_future', 0)", NULL, NULL, NULL);
    sqlite3_close(raw);
    CHECK(oc_open("newer.db", &db) == OC_INCOMPATIBLE && strstr(oc_errmsg(db), "newer"), "newer file refused: %s", oc_errmsg(db));
    oc_close(db);

    unlink("older.db");
    sqlite3_open("older.db", &raw);
    sqlite3_exec(raw, "CREATE TABLE schema_migrations(seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at INTEGER NOT NULL)",
                 NULL, NULL, NULL);
    sqlite3_close(raw);
    CHECK(oc_open("older.db", &db) == OC_OK, "older file migrates: %s", oc_errmsg(db));
    setup_catalog(db, 3);
    CHECK(available(db, "A1") == 3, "migrated file works");
    oc_close(db);
}

static void test_order_path(void) {
    oc_db *db = NULL;
    char out[8192], id1[32], id2[32], request[256], later[32];
    unlink("orders.db");
    CHECK(oc_open(test_db("orders.db"), &db) == OC_OK, "open file");
    setup_catalog(db, 10);

    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":11,\"unit_price\":\"1.00\"}]}", out, sizeof out) == OC_INSUFFICIENT_STOCK
          && strstr(out, "\"sku\":\"A1\""), "insufficient stock names the SKU: %s", out);
    CHECK(available(db, "A1") == 10, "failed order reserved nothing");

    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":4,\"unit_price\":\"19.90\"}],\"shipping_fee\":\"8.00\"}",
              out, sizeof out) == OC_OK, "create: %s", out);
    order_id_of(out, id1);
    CHECK(strstr(out, "\"grand_total\":\"87.60\"") != NULL, "grand total 4 x 19.90 + 8.00: %s", out);
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":3,\"unit_price\":\"1.00\"}]}",
              out, sizeof out) == OC_OK, "create second");
    order_id_of(out, id2);
    CHECK(available(db, "A1") == 3, "7 reserved, 3 available");

    CHECK(oc_order_pay(db, id1, "1.00", "P1") == OC_INVALID, "wrong amount refused");
    snprintf(request, sizeof request, "{\"op\":\"order.pay\",\"order_id\":\"%s\",\"payment_ref\":\"P1\"}", id1);
    CHECK(run(db, request, out, sizeof out) == OC_OK, "pay: %s", out);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"duplicate\":true"), "repeated payment callback is harmless");
    char *state = NULL;
    CHECK(oc_order_state(db, id1, &state) == OC_OK && strcmp(state, "paid") == 0, "state paid: %s", state ? state : "(null)");
    oc_free(state);

    /* The unpaid order lapses after 15 minutes; a sweep 20 minutes on closes it and releases 3 units. */
    iso_time(later, sizeof later, 20 * 60);
    snprintf(request, sizeof request, "{\"op\":\"sweep\",\"at\":\"%s\"}", later);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"expired_orders\":1"),
          "sweep closes the lapsed order: %s", out);
    CHECK(oc_order_state(db, id2, &state) == OC_OK && strcmp(state, "cancelled") == 0, "expired order is cancelled");
    oc_free(state);
    CHECK(oc_order_pay(db, id2, NULL, NULL) == OC_CONFLICT, "paying a closed order is a conflict");
    CHECK(strstr(oc_errmsg(db), "cancelled") != NULL, "conflict names the state: %s", oc_errmsg(db));
    CHECK(available(db, "A1") == 6, "paid units stay reserved, expired ones came back");

    CHECK(oc_order_cancel(db, id1, "customer called") == OC_OK, "cancel paid order");
    CHECK(available(db, "A1") == 10, "cancel released everything");
    snprintf(request, sizeof request, "{\"op\":\"order.get\",\"order_id\":\"%s\"}", id1);
    run(db, request, out, sizeof out);
    CHECK(strstr(out, "\"refund_due\":\"87.60\"") != NULL, "cancelled paid order owes a refund: %s", out);
    CHECK(oc_order_cancel(db, id1, NULL) == OC_CONFLICT, "cancelling twice is a conflict");
    CHECK(oc_order_state(db, "SO-999999", &state) == OC_NOT_FOUND && state == NULL, "unknown order");

    snprintf(request, sizeof request, "{\"op\":\"order.timeline\",\"order_id\":\"%s\"}", id1);
    run(db, request, out, sizeof out);
    CHECK(strstr(out, "\"to\":\"pending_payment\"") && strstr(out, "\"to\":\"paid\"") && strstr(out, "\"to\":\"cancelled\""),
          "timeline has every transition: %s", out);

    /* A till's order arrives paid: created and paid in one command; a reused payment reference changes nothing. */
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":2,\"unit_price\":\"5.00\"}],"
                  "\"payment\":{\"amount\":\"10.00\",\"payment_ref\":\"POS-1\"}}", out, sizeof out) == OC_OK
          && strstr(out, "\"state\":\"paid\"") && strstr(out, "\"paid_total\":\"10.00\""), "created paid: %s", out);
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"5.00\"}],"
                  "\"payment\":{\"payment_ref\":\"POS-1\"}}", out, sizeof out) == OC_CONFLICT, "payment_ref reused: %s", out);
    CHECK(available(db, "A1") == 8, "only the paid order holds stock");

    /* The buyer drops one unit of a paid order: the rest still ships, and that unit's price is owed back. */
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":2,\"unit_price\":\"5.00\"}],"
                  "\"payment\":{}}", out, sizeof out) == OC_OK, "created paid: %s", out);
    order_id_of(out, id2);
    snprintf(request, sizeof request,
             "{\"op\":\"order.cancel\",\"order_id\":\"%s\",\"units\":[{\"sku\":\"A1\",\"qty\":1}]}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"paid\"")
          && strstr(out, "\"refund_due\":\"5.00\""), "one unit cancelled: %s", out);
    CHECK(available(db, "A1") == 7, "its unit came back, the other is still held");

    /* A1 on two lines, named by number: the line's own unit, whatever the other line's costs; a line the order
       lacks is refused and changes nothing. */
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"5.00\"},"
                  "{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"4.00\"}],\"payment\":{}}", out, sizeof out) == OC_OK,
          "created paid: %s", out);
    order_id_of(out, id2);
    snprintf(request, sizeof request,
             "{\"op\":\"order.cancel\",\"order_id\":\"%s\",\"units\":[{\"line_no\":3,\"qty\":1}]}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_NOT_FOUND, "no line 3: %s", out);
    snprintf(request, sizeof request,
             "{\"op\":\"order.cancel\",\"order_id\":\"%s\",\"units\":[{\"line_no\":2,\"qty\":1}]}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"refund_due\":\"4.00\""),
          "line 2 cancelled: %s", out);
    CHECK(available(db, "A1") == 6, "line 1's unit is still held");

    /* A chargeback of the whole payment holds the order, caps its refunds and pays the refund owed for line 2
       (the bank gave the buyer all of it); won, all three go. */
    snprintf(request, sizeof request,
             "{\"op\":\"order.dispute\",\"order_id\":\"%s\",\"dispute_ref\":\"CB-1\",\"reason\":\"fraudulent\"}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"on_hold\"")
          && strstr(out, "\"charged_back\":\"9.00\"") && strstr(out, "\"refund_due\":\"0.00\""), "charged back: %s", out);
    snprintf(request, sizeof request, "{\"op\":\"order.refund\",\"order_id\":\"%s\",\"amount\":\"1.00\"}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_CONFLICT, "the bank took it back already: %s", out);
    snprintf(request, sizeof request,
             "{\"op\":\"order.dispute\",\"order_id\":\"%s\",\"dispute_ref\":\"CB-1\",\"status\":\"won\"}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"paid\"")
          && strstr(out, "\"refund_due\":\"4.00\""), "won: %s", out);
    /* The channel's fraud analysis says high: held before it ships; an unknown level changes nothing. */
    snprintf(request, sizeof request,
             "{\"op\":\"risk.report\",\"order_id\":\"%s\",\"source\":\"shopify\",\"level\":\"severe\"}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_INVALID, "unknown level: %s", out);
    snprintf(request, sizeof request,
             "{\"op\":\"risk.report\",\"order_id\":\"%s\",\"source\":\"shopify\",\"level\":\"high\"}", id2);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"on_hold\""), "high risk: %s", out);
    oc_close(db);
}

/* oc_order_create: an order without JSON, unpaid or arriving paid; bad arguments change nothing. */
static void test_typed_create(void) {
    oc_db *db = NULL;
    char out[4096], *id = NULL, *state = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    const char *skus[] = {"A1", "A1"}, *prices[] = {"19.90", "5.00"};
    int64_t qtys[] = {2, 1};
    CHECK(oc_order_create(db, "web", "W-1", 2, skus, qtys, prices, NULL, 0, &id) == OC_OK && id, "create: %s", oc_errmsg(db));
    CHECK(oc_order_state(db, id, &state) == OC_OK && strcmp(state, "pending_payment") == 0, "unpaid: %s", state);
    oc_free(state);
    oc_free(id);
    CHECK(available(db, "A1") == 7, "3 units held");
    CHECK(oc_order_create(db, NULL, NULL, 1, skus, qtys, prices, "TILL-9", OC_ORDER_PAID, &id) == OC_OK, "paid: %s", oc_errmsg(db));
    CHECK(oc_order_state(db, id, &state) == OC_OK && strcmp(state, "paid") == 0, "arrives paid: %s", state);
    char request[128];
    snprintf(request, sizeof request, "{\"op\":\"order.get\",\"order_id\":\"%s\"}", id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"payment_ref\":\"TILL-9\"") && strstr(out, "\"channel\":\"direct\""),
          "its payment and channel: %s", out);
    oc_free(state);
    oc_free(id);

    const char *unknown[] = {"ZZ"}, *bad_utf8[] = {"A\xff"}, *nulls[] = {NULL};
    int64_t zero[] = {0};
    CHECK(oc_order_create(db, "web", "W-1", 1, skus, qtys, prices, NULL, 0, NULL) == OC_CONFLICT, "external_id again");
    CHECK(oc_order_create(db, NULL, NULL, 1, skus, qtys, prices, "TILL-9", OC_ORDER_PAID, NULL) == OC_CONFLICT, "payment_ref again");
    CHECK(oc_order_create(db, NULL, NULL, 1, skus, qtys, prices, "TILL-10", 0, NULL) == OC_INVALID, "payment_ref, not paid");
    CHECK(oc_order_create(db, NULL, NULL, 1, skus, qtys, prices, NULL, 0x8, NULL) == OC_INVALID, "unknown flag");
    CHECK(oc_order_create(db, NULL, NULL, 0, skus, qtys, prices, NULL, 0, NULL) == OC_INVALID, "no lines");
    CHECK(oc_order_create(db, NULL, NULL, (size_t)-1, skus, qtys, prices, NULL, 0, NULL) == OC_INVALID, "line_count too large");
    CHECK(oc_order_create(db, NULL, NULL, 1, NULL, qtys, prices, NULL, 0, NULL) == OC_MISUSE, "NULL skus");
    CHECK(oc_order_create(db, NULL, NULL, 1, nulls, qtys, prices, NULL, 0, NULL) == OC_MISUSE, "NULL sku");
    CHECK(oc_order_create(db, NULL, NULL, 1, unknown, qtys, prices, NULL, 0, NULL) == OC_NOT_FOUND, "unknown SKU");
    CHECK(oc_order_create(db, NULL, NULL, 1, bad_utf8, qtys, prices, NULL, 0, NULL) == OC_INVALID, "invalid UTF-8");
    CHECK(oc_order_create(db, NULL, NULL, 1, skus, zero, prices, NULL, 0, NULL) == OC_INVALID, "qty 0");
    CHECK(oc_order_create(NULL, NULL, NULL, 1, skus, qtys, prices, NULL, 0, NULL) == OC_MISUSE, "NULL handle");
    CHECK(available(db, "A1") == 5, "the refused ones held nothing");

    /* Cash on delivery: allocated (and shipped) unpaid; its payment comes when the goods have arrived. */
    CHECK(oc_order_create(db, "web", "W-COD", 2, skus, qtys, prices, NULL, OC_ORDER_CASH_ON_DELIVERY, &id) == OC_OK,
          "cash on delivery: %s", oc_errmsg(db));
    snprintf(request, sizeof request, "{\"op\":\"order.get\",\"order_id\":\"%s\"}", id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"cash_on_delivery\":true"), "flagged: %s", out);
    CHECK(oc_order_allocate(db, id, NULL) == OC_OK && oc_order_state(db, id, &state) == OC_OK
              && strcmp(state, "allocated") == 0, "allocated unpaid: %s", oc_errmsg(db));
    oc_free(state);
    CHECK(oc_order_pay(db, id, "9999.00", NULL) == OC_INVALID, "never more than is due");
    CHECK(oc_order_pay(db, id, "1.00", "ADV-1") == OC_OK && oc_order_state(db, id, &state) == OC_OK
              && strcmp(state, "allocated") == 0, "a part paid ahead: %s", oc_errmsg(db));
    oc_free(state);
    CHECK(oc_order_pay(db, id, NULL, "COD-1") == OC_OK && oc_order_state(db, id, &state) == OC_OK
              && strcmp(state, "allocated") == 0, "the rest, paid where it is: %s", oc_errmsg(db));
    oc_free(state);
    oc_free(id);
    CHECK(available(db, "A1") == 2, "it holds its 3 units");

    /* Payment terms (through oc_exec): sold on credit, allocated unpaid; chased, not collected at the door. */
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"5.00\"}],"
                  "\"payment_terms\":{\"name\":\"Net 30\",\"due_in_days\":30}}", out, sizeof out) == OC_OK
              && strstr(out, "\"payment_terms\":{\"name\":\"Net 30\""), "on terms: %s", out);
    char terms_id[32];
    order_id_of(out, terms_id);
    CHECK(oc_order_allocate(db, terms_id, NULL) == OC_OK, "allocated unpaid: %s", oc_errmsg(db));
    CHECK(run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"5.00\"}],"
                  "\"payment_terms\":{\"name\":\"Net 30\"},\"cash_on_delivery\":true}", out, sizeof out) == OC_INVALID,
          "terms or cash on delivery, not both: %s", out);
    CHECK(available(db, "A1") == 1, "it holds its unit");
    oc_close(db);
}

/* An abandoned checkout does not hold stock until the next sweep: reading the SKU releases it. */
static void test_lazy_expiry(void) {
    oc_db *db = NULL;
    char out[4096], earlier[32], request[256];
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    iso_time(earlier, sizeof earlier, -16 * 60);
    snprintf(request, sizeof request, "{\"op\":\"order.create\",\"at\":\"%s\",\"lines\":[{\"sku\":\"A1\",\"qty\":5,\"unit_price\":\"1.00\"}]}", earlier);
    CHECK(run(db, request, out, sizeof out) == OC_OK, "order placed 16 minutes ago");
    CHECK(available(db, "A1") == 5, "its lapsed reservation is released when the SKU is read");
    CHECK(run(db, one_unit, out, sizeof out) == OC_OK, "and the units sell again");
    oc_close(db);
}

static void test_idempotency(void) {
    oc_db *db = NULL;
    char out[4096];
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    const char *req = "{\"op\":\"order.create\",\"idempotency_key\":\"cart-77\",\"lines\":[{\"sku\":\"A1\",\"qty\":2,\"unit_price\":\"1.00\"}]}";
    CHECK(run(db, req, out, sizeof out) == OC_OK && !strstr(out, "replayed"), "first create");
    CHECK(run(db, req, out, sizeof out) == OC_OK && strstr(out, "\"replayed\":true"), "retry is replayed: %s", out);
    CHECK(available(db, "A1") == 3, "retry reserved nothing more");
    CHECK(run(db, "{\"op\":\"order.create\",\"idempotency_key\":\"cart-77\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}",
              out, sizeof out) == OC_CONFLICT, "same key, other request: conflict");

    /* Without a response the command is applied in full; a retry that asks for it gets the whole document. */
    const char *quiet = "{\"op\":\"order.create\",\"idempotency_key\":\"cart-78\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}";
    CHECK(oc_exec(db, quiet, NULL) == OC_OK && available(db, "A1") == 2, "created without a response");
    CHECK(run(db, quiet, out, sizeof out) == OC_OK && strstr(out, "\"replayed\":true") && strstr(out, "\"lines\":[{"),
          "the replay is the full document: %s", out);
    CHECK(oc_exec(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}", NULL) == OC_OK
          && run(db, "{\"op\":\"order.get\",\"order_id\":\"SO-000003\"}", out, sizeof out) == OC_OK
          && strstr(out, "\"reserved\":1"), "and so without a key: %s", out);
    oc_close(db);
}

static void test_adjust_and_verify(void) {
    oc_db *db = NULL;
    char out[4096];
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    CHECK(oc_stock_adjust(db, "A1", "SH", -2, "broken in the aisle") == OC_OK, "adjust down: %s", oc_errmsg(db));
    CHECK(available(db, "A1") == 8, "adjusted");
    CHECK(oc_stock_adjust(db, "A1", "SH", -100, "typo") == OC_CONFLICT && strstr(oc_errmsg(db), "below zero"), "below zero: %s", oc_errmsg(db));
    CHECK(oc_stock_adjust(db, "A1", "SH", 0, "nothing") == OC_INVALID, "zero");
    CHECK(oc_stock_adjust(db, "A1", "SH", 1, NULL) == OC_MISUSE, "NULL reason");
    CHECK(oc_stock_adjust(db, "A1", "XX", 1, "x") == OC_NOT_FOUND, "unknown warehouse");
    CHECK(available(db, "A1") == 8, "refused adjustments changed nothing");
    CHECK(run(db, "{\"op\":\"stock.verify\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true"), "ledger verifies: %s", out);
    CHECK(run(db, "{\"op\":\"stock.ledger\",\"sku\":\"A1\",\"reason\":\"adjust\"}", out, sizeof out) == OC_OK
          && strstr(out, "broken in the aisle"), "the ledger keeps the reason: %s", out);
    run(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"BJ\"}", NULL, 0);
    CHECK(run(db, "{\"op\":\"stock.count\",\"warehouse\":\"SH\",\"counts\":[{\"sku\":\"A1\",\"qty\":6}]}", out, sizeof out) == OC_OK
          && strstr(out, "\"variance\":-2"), "count: %s", out);
    CHECK(run(db, "{\"op\":\"stock.count\",\"warehouse\":\"SH\",\"counts\":[{\"sku\":\"A1\",\"qty\":6},{\"sku\":\"A1\",\"qty\":6}]}",
              out, sizeof out) == OC_INVALID, "a SKU counted twice");
    CHECK(run(db, "{\"op\":\"stock.transfer\",\"from\":\"SH\",\"to\":\"BJ\",\"lines\":[{\"sku\":\"A1\",\"qty\":4}]}", out, sizeof out) == OC_OK,
          "transfer: %s", out);
    CHECK(run(db, "{\"op\":\"stock.transfer\",\"from\":\"SH\",\"to\":\"SH\",\"lines\":[{\"sku\":\"A1\",\"qty\":1}]}", out, sizeof out) == OC_INVALID,
          "transfer to the same warehouse");
    CHECK(run(db, "{\"op\":\"stock.transfer_receive\",\"transfer_id\":\"TR-000001\"}", out, sizeof out) == OC_OK
          && strstr(out, "\"state\":\"received\""), "receive: %s", out);
    int64_t in_bj = 0;
    oc_stock_available(db, "A1", "BJ", &in_bj);
    CHECK(in_bj == 4 && available(db, "A1") == 6, "units moved: %lld in BJ", (long long)in_bj);
    CHECK(run(db, "{\"op\":\"stock.verify\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true"), "still verifies: %s", out);
    oc_close(db);
}

static void test_channels(void) {
    oc_db *db = NULL;
    char out[4096];
    int64_t n = -1;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    run(db, "{\"op\":\"channel.upsert\",\"channel\":\"web\"}", NULL, 0);
    CHECK(run(db, "{\"op\":\"channel.sku\",\"channel\":\"web\",\"sku\":\"A1\",\"cap\":3}", out, sizeof out) == OC_OK, "cap: %s", out);
    CHECK(oc_stock_sellable(db, "A1", "web", &n) == OC_OK && n == 3, "sellable is the cap: %lld", (long long)n);
    CHECK(oc_stock_sellable(db, "A1", "pos", &n) == OC_OK && n == 10, "another channel sells all: %lld", (long long)n);
    CHECK(run(db, "{\"op\":\"order.create\",\"channel\":\"web\",\"lines\":[{\"sku\":\"A1\",\"qty\":4,\"unit_price\":\"1\"}]}",
              out, sizeof out) == OC_INSUFFICIENT_STOCK && strstr(out, "channel_cap"), "over the cap: %s", out);
    CHECK(oc_stock_sellable(db, "A1", NULL, &n) == OC_MISUSE, "NULL channel");
    CHECK(run(db, "{\"op\":\"stock.board\",\"status\":\"sufficient\"}", out, sizeof out) == OC_OK && strstr(out, "\"sku\":\"A1\""),
          "board: %s", out);
    CHECK(run(db, "{\"op\":\"stock.alerts\"}", out, sizeof out) == OC_OK && strstr(out, "\"alerts\":[]"), "no alerts: %s", out);
    CHECK(oc_stock_sellable(db, "ZZ", "web", &n) == OC_NOT_FOUND, "unknown SKU");
    oc_close(db);
}

static void test_pickup(void) {
    oc_db *db = NULL;
    char out[8192], id[32];
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 4);
    run(db, "{\"op\":\"order.create\",\"channel\":\"pos\",\"lines\":[{\"sku\":\"A1\",\"qty\":3,\"unit_price\":\"2.00\"}]}", out, sizeof out);
    order_id_of(out, id);
    CHECK(oc_order_pickup(db, id) == OC_CONFLICT, "unpaid orders are not handed over");
    CHECK(oc_order_pay(db, id, NULL, "CASH-1") == OC_OK && oc_order_pickup(db, id) == OC_OK, "pay, then pickup: %s", oc_errmsg(db));
    char *state = NULL;
    CHECK(oc_order_state(db, id, &state) == OC_OK && strcmp(state, "completed") == 0, "completed");
    oc_free(state);
    CHECK(run(db, "{\"op\":\"stock.get\",\"sku\":\"A1\"}", out, sizeof out) == OC_OK && strstr(out, "\"on_hand\":1,\"reserved\":0"),
          "units left the stock: %s", out);
    CHECK(oc_order_pickup(db, NULL) == OC_MISUSE, "NULL order");
    run(db, "{\"op\":\"order.create\",\"ship_to\":{\"region\":\"Shanghai\"},\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"2.00\"}]}",
        out, sizeof out);
    order_id_of(out, id);
    char *decision = NULL;
    CHECK(oc_order_allocate(db, id, &decision) == OC_CONFLICT && decision == NULL, "unpaid orders are not allocated");
    oc_order_pay(db, id, NULL, NULL);
    CHECK(oc_order_allocate(db, id, &decision) == OC_OK && decision && strcmp(decision, "single") == 0, "allocated: %s", decision ? decision : "-");
    oc_free(decision);
    CHECK(oc_order_state(db, id, &state) == OC_OK && strcmp(state, "allocated") == 0, "state allocated");
    oc_free(state);
    oc_close(db);
}

static void test_fulfillment(void) {
    oc_db *db = NULL;
    char out[16384], id[32], request[512];
    char *state = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    run(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\",\"barcode\":\"690001\",\"weight_g\":300}", NULL, 0);
    run(db, one_unit, out, sizeof out);
    order_id_of(out, id);
    CHECK(oc_order_hold(db, id, "fraud check") == OC_OK, "hold: %s", oc_errmsg(db));
    CHECK(oc_order_hold(db, id, NULL) == OC_MISUSE, "hold needs a reason");
    /* a held order's payment is taken where it is: it stays held, and is released paid */
    CHECK(oc_order_pay(db, id, NULL, "GW-1") == OC_OK && oc_order_state(db, id, &state) == OC_OK && strcmp(state, "on_hold") == 0,
          "paid while held: %s", oc_errmsg(db));
    oc_free(state);
    CHECK(oc_order_pay(db, id, NULL, NULL) == OC_CONFLICT && strstr(oc_errmsg(db), "on_hold"), "nothing more to pay: %s", oc_errmsg(db));
    CHECK(oc_order_release(db, id, NULL) == OC_OK && oc_order_state(db, id, &state) == OC_OK && strcmp(state, "paid") == 0,
          "released paid");
    oc_free(state);
    snprintf(request, sizeof request, "{\"op\":\"order.allocate\",\"order_id\":\"%s\"}", id);
    run(db, request, NULL, 0);
    CHECK(oc_order_ship(db, id, "SF", "SF123") == OC_CONFLICT, "nothing packed yet");
    snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[\"%s\",\"690001\"],\"weight_g\":310}", id, id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"weight_check\":\"passed\""), "pack: %s", out);
    CHECK(oc_order_ship(db, id, "SF", "SF123") == OC_OK, "ship: %s", oc_errmsg(db));
    CHECK(run(db, "{\"op\":\"tracking.event\",\"carrier\":\"SF\",\"tracking_no\":\"SF123\",\"status\":\"InTransit\","
                  "\"time\":\"2026-01-18T10:00:00\"}", out, sizeof out) == OC_OK && strstr(out, "\"shipment_state\":\"in_transit\""),
          "tracking event: %s", out);
    CHECK(oc_order_deliver(db, id, NULL) == OC_OK && oc_order_state(db, id, &state) == OC_OK && strcmp(state, "delivered") == 0,
          "delivered");
    oc_free(state);
    CHECK(oc_order_deliver(db, id, NULL) == OC_CONFLICT, "nothing left to deliver");
    CHECK(oc_order_ship(db, NULL, "SF", "X") == OC_MISUSE, "NULL order");
    CHECK(run(db, "{\"op\":\"stock.verify\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true"), "verified: %s", out);
    oc_close(db);
}

/* ---- threads ---- */

struct racer { oc_db *db; const char *path; int sold; int errors; };

static void *race(void *arg) {
    struct racer *r = arg;
    oc_db *db = r->db;
    if (!db && oc_open(r->path, &db) != OC_OK) { r->errors++; return NULL; }
    for (;;) {
        int rc = oc_exec(db, one_unit, NULL);
        if (rc == OC_OK) r->sold++;
        else if (rc == OC_INSUFFICIENT_STOCK) break;
        else { r->errors++; break; }
    }
    if (!r->db) oc_close(db);
    return NULL;
}

static void test_threads(void) {
    enum { SHARED = 4, OWN = 4, UNITS = 200 };
    oc_db *db = NULL;
    unlink("race.db");
    const char *path = test_db("race.db");
    oc_open(path, &db);
    setup_catalog(db, UNITS);
    pthread_t threads[SHARED + OWN];
    struct racer racers[SHARED + OWN];
    for (int i = 0; i < SHARED + OWN; i++) {
        racers[i] = (struct racer){ i < SHARED ? db : NULL, path, 0, 0 };
        pthread_create(&threads[i], NULL, race, &racers[i]);
    }
    int sold = 0, errors = 0;
    for (int i = 0; i < SHARED + OWN; i++) { pthread_join(threads[i], NULL); sold += racers[i].sold; errors += racers[i].errors; }
    CHECK(sold == UNITS, "exactly %d sold by 8 threads (shared and own handles), got %d", UNITS, sold);
    CHECK(errors == 0, "no busy or other errors: %d", errors);
    CHECK(available(db, "A1") == 0, "nothing left");
    char out[256];
    CHECK(run(db, "{\"op\":\"stock.verify\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true"), "ledger verifies after the race: %s", out);
    oc_close(db);
}

/* Past 1,000 pages of log a handle checkpoints on a thread of its own. A child process made by fork has
 * no such thread. Forked again and again while checkpoints run (a pass starts every 16 or so orders), a
 * child must still be able to use SQLite: close the handle it inherited (which leaves the thread alone:
 * joining a thread it does not have is undefined) and open one of its own. A fork in the middle of a
 * checkpoint would leave SQLite's mutexes held by a thread the child does not have. */
static void test_checkpoint_thread_and_fork(void) {
    oc_db *db = NULL;
    unlink("fork.db");
    unlink("fork.db-wal");
    unlink("fork.db-shm");
    CHECK(oc_open_v2("fork.db", &db, OC_OPEN_SYNCHRONOUS_NORMAL) == OC_OK, "open: %s", oc_errmsg(db));
    setup_catalog(db, 10000);
    int placed = 0, children = 0, clean = 0;
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 10; i++) placed += run(db, one_unit, NULL, 0) == OC_OK;
        fflush(stdout);
        pid_t child = fork();
        if (child == 0) {
            alarm(20);  /* a child stuck on a mutex nobody will release: killed, and counted */
            oc_close(db);
            oc_db *own = NULL;
            int64_t left = -1;
            int ok = oc_open("fork.db", &own) == OC_OK && oc_stock_available(own, "A1", NULL, &left) == OC_OK;
            oc_close(own);
            _exit(ok && left >= 0 ? 0 : 1);
        }
        int status = 0;
        children += child > 0 && waitpid(child, &status, 0) == child;
        clean += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    CHECK(placed == 400, "400 orders placed between the forks: %d", placed);
    CHECK(children == 40 && clean == 40, "%d of %d children closed, opened and read cleanly", clean, children);
    CHECK(run(db, one_unit, NULL, 0) == OC_OK, "the parent's handle goes on: %s", oc_errmsg(db));
    CHECK(available(db, "A1") == 10000 - 401, "401 units sold: %lld", (long long)available(db, "A1"));
    oc_close(db);
}

static void *succeed_on(void *arg) {
    oc_db *db = arg;
    int64_t n;
    oc_stock_available(db, "A1", NULL, &n);
    return (void *)(strcmp(oc_errmsg(db), "not an error") == 0 ? db : NULL);
}

static void test_thread_local_errors(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 1);
    CHECK(oc_order_cancel(db, "SO-404", NULL) == OC_NOT_FOUND, "fail on this thread");
    pthread_t t;
    void *result = NULL;
    pthread_create(&t, NULL, succeed_on, db);
    pthread_join(t, &result);
    CHECK(result == db, "the other thread's success reads 'not an error'");
    CHECK(strstr(oc_errmsg(db), "SO-404") != NULL, "this thread keeps its own last error: %s", oc_errmsg(db));
    oc_close(db);
}

static void test_batches(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 0);
    char *response = NULL;
    const char *mixed = "[{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":5},"
                        "{\"op\":\"stock.receive\",\"sku\":\"NOPE\",\"warehouse\":\"SH\",\"qty\":1}]";
    CHECK(oc_exec_batch(db, mixed, OC_BATCH_ATOMIC, &response) == OC_NOT_FOUND, "atomic batch fails with the failing command's code");
    CHECK(response && strstr(response, "\"index\":1"), "atomic failure names the command: %s", response ? response : "(null)");
    CHECK(available(db, "A1") == 0, "atomic failure changed nothing");
    oc_free(response);
    CHECK(oc_exec_batch(db, mixed, OC_BATCH_EACH, &response) == OC_OK, "each-mode batch commits");
    CHECK(response && strstr(response, "\"results\":[{\"ok\":true") && strstr(response, "{\"ok\":false"), "per-command results: %s",
          response ? response : "(null)");
    CHECK(available(db, "A1") == 5, "the good command committed");
    oc_free(response);
    CHECK(oc_exec_batch(db, "{\"op\":\"sweep\"}", OC_BATCH_EACH, &response) == OC_INVALID, "a batch must be an array");
    oc_free(response);
    CHECK(oc_exec_batch(db, NULL, OC_BATCH_EACH, &response) == OC_MISUSE && response == NULL, "NULL requests");
    CHECK(oc_exec_batch(NULL, "[]", OC_BATCH_EACH, &response) == OC_MISUSE, "NULL handle");
    oc_close(db);
}

static void test_change_feed(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    run(db, "{\"op\":\"channel.upsert\",\"channel\":\"web\"}", NULL, 0);
    run(db, one_unit, NULL, 0);
    char *events = NULL;
    int64_t next = -1;
    CHECK(oc_events_read(db, "erp", -1, 100, &events, &next) == OC_OK, "read from a new consumer: %s", oc_errmsg(db));
    CHECK(events && strstr(events, "\"kind\":\"order\"") && strstr(events, "\"kind\":\"sellable\""), "order and sellable events: %s",
          events ? events : "(null)");
    CHECK(next >= 3, "next cursor %lld", (long long)next);
    oc_free(events);
    CHECK(oc_events_ack(db, "erp", next) == OC_OK, "ack");
    CHECK(oc_events_read(db, "erp", -1, 100, &events, &next) == OC_OK && strcmp(events, "[]") == 0, "nothing after the ack");
    oc_free(events);
    CHECK(oc_events_read(db, NULL, 0, 1, &events, NULL) == OC_OK && strstr(events, "\"seq\":1,"), "read from a cursor, no consumer");
    oc_free(events);
    CHECK(oc_events_read(db, "erp", -1, 0, &events, &next) == OC_INVALID, "limit 0 is invalid");
    CHECK(oc_events_read(db, NULL, -1, 10, &events, &next) == OC_MISUSE, "neither consumer nor cursor");
    CHECK(oc_events_read(db, "erp", -1, 10, NULL, &next) == OC_MISUSE, "NULL events_json_out");
    CHECK(oc_events_ack(db, NULL, 1) == OC_MISUSE, "ack without consumer");
    CHECK(oc_events_ack(db, "erp", next + 1000) == OC_INVALID, "ack past the end");
    oc_close(db);
}

/* FNV-1a over every row of every table, read through a second connection: "the database is unchanged". */
static unsigned long long digest(const char *path) {
    unsigned long long h = 1469598103934665603ULL;
    if (postgresql) {
        PGconn *pg = PQconnectdb(path);
        PGresult *tables = PQexec(pg, "SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema() ORDER BY 1");
        for (int t = 0; t < PQntuples(tables); t++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT string_agg(r::text, '|' ORDER BY r::text) FROM \"%s\" r",
                     PQgetvalue(tables, t, 0));
            PGresult *rows = PQexec(pg, sql);
            for (const char *v = PQntuples(rows) ? PQgetvalue(rows, 0, 0) : ""; *v; v++) h = (h ^ (unsigned char)*v) * 1099511628211ULL;
            h = (h ^ 0xFF) * 1099511628211ULL;
            PQclear(rows);
        }
        PQclear(tables);
        PQfinish(pg);
        return h;
    }
    sqlite3 *c = NULL;
    if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) { sqlite3_close(c); return 0; }
    sqlite3_stmt *tables = NULL;
    sqlite3_prepare_v2(c, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &tables, NULL);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tables, 0));
        sqlite3_stmt *rows = NULL;
        sqlite3_prepare_v2(c, sql, -1, &rows, NULL);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(rows); i++) {
                const unsigned char *v = sqlite3_column_text(rows, i);
                for (; v && *v; v++) h = (h ^ *v) * 1099511628211ULL;
                h = (h ^ 0xFF) * 1099511628211ULL;
            }
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(c);
    return h;
}

/* The role table from C: each request by each kind of actor is refused exactly below its role, and a
 * refusal changes nothing. The whole table (every op and setting) is tested in Swift and Python. */
static void test_roles(void) {
    remove("roles.db");
    const char *path = test_db("roles.db");
    oc_db *db = NULL;
    oc_open(path, &db);
    char out[512];
    setup_catalog(db, 20);
    run(db, "{\"op\":\"stock.quarantine\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":4}", NULL, 0);
    CHECK(run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"boss\",\"role\":\"admin\",\"actor\":\"anyone\"}", out, sizeof out) == OC_OK,
          "the first admin, by anyone: %s", out);
    CHECK(run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"eve\",\"role\":\"admin\",\"actor\":\"eve\"}", out, sizeof out) == OC_FORBIDDEN,
          "a stranger cannot make herself admin: %s", out);
    CHECK(strstr(oc_errmsg(db), "needs an admin") != NULL, "the message names the role needed: %s", oc_errmsg(db));
    run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"lead\",\"role\":\"supervisor\",\"actor\":\"boss\"}", NULL, 0);
    run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"op\",\"role\":\"operator\",\"actor\":\"boss\"}", NULL, 0);
    run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"gone\",\"role\":\"admin\",\"active\":false,\"actor\":\"boss\"}", NULL, 0);
    unsigned long long unchanged = digest(path);
    run(db, "{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":1}", NULL, 0);
    CHECK(digest(path) != unchanged, "the digest sees a change");

    /* (request without its actor, the least role: 0 anyone, 1 operator, 2 supervisor, 3 admin) */
    static const struct { const char *request; int needs; } table[] = {
        {"{\"op\":\"stock.get\",\"sku\":\"A1\"", 0},
        {"{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":1", 1},
        {"{\"op\":\"stock.adjust\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":-2,\"bucket\":\"quarantine\",\"reason\":\"gone\"", 2},
        {"{\"op\":\"stock.adjust\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":-11,\"reason\":\"gone\"", 2},
        {"{\"op\":\"stock.scrap\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":1", 2},
        {"{\"op\":\"config.set\",\"key\":\"returns.admin_above\",\"value\":1000000000", 3},
        {"{\"op\":\"config.set\",\"key\":\"risk.enabled\",\"value\":false", 3},
        {"{\"op\":\"config.set\",\"key\":\"fulfillment.pickup_alert_hours\",\"value\":24", 2},
        {"{\"op\":\"config.set\",\"key\":\"returns.admin_above\",\"value\":{\"CNY\":5000,\"USD\":700}", 3},
        {"{\"op\":\"config.reset\",\"key\":\"returns.admin_above\"", 3},
        {"{\"op\":\"config.reset\",\"key\":\"fulfillment.pickup_alert_hours\"", 2},
        {"{\"op\":\"warehouse.upsert\",\"warehouse\":\"BJ\"", 3},
        {"{\"op\":\"actor.upsert\",\"actor_id\":\"newbie\",\"role\":\"operator\"", 3},
    };
    static const struct { const char *actor; int rank; } askers[] = {
        {NULL, 3}, {"ghost", 0}, {"gone", 0}, {"op", 1}, {"lead", 2}, {"boss", 3},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        for (size_t a = 0; a < sizeof askers / sizeof askers[0]; a++) {
            char request[512];
            if (askers[a].actor) snprintf(request, sizeof request, "%s,\"actor\":\"%s\"}", table[i].request, askers[a].actor);
            else snprintf(request, sizeof request, "%s}", table[i].request);
            unsigned long long before = digest(path);
            int rc = run(db, request, out, sizeof out);
            if (askers[a].rank < table[i].needs) {
                CHECK(rc == OC_FORBIDDEN && digest(path) == before, "refused and unchanged: %s -> %d %s", request, rc, out);
            } else {
                CHECK(rc != OC_FORBIDDEN, "allowed: %s -> %s", request, out);
            }
        }
    }
    oc_close(db);
    remove("roles.db");
}

/* No output path reaches the open database: the file, its sidecars, a link to it, a directory. */
static void test_output_targets(void) {
    const char *path = "targets.db";
    remove(path); remove("targets-link.db");
    oc_db *db = NULL;
    oc_open(path, &db);
    setup_catalog(db, 5);
    run(db, one_unit, NULL, 0);
    CHECK(symlink(path, "targets-link.db") == 0, "a link to the database");
    static const char *targets[] = {"targets.db", "./targets.db", "targets.db-wal", "targets.db-shm", "targets.db-journal",
                                    "targets-link.db", ".", "/dev/null"};
    static const char *ops[] = {"export\",\"request\":{\"op\":\"order.list\"}", "report.html\"", "db.backup\""};
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            char request[256], out[512];
            snprintf(request, sizeof request, "{\"op\":\"%s,\"path\":\"%s\"}", ops[o], targets[t]);
            CHECK(run(db, request, out, sizeof out) == OC_INVALID, "refused: %s -> %s", request, out);
        }
    }
    char out[4096];
    CHECK(run(db, "{\"op\":\"db.check\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true") != NULL, "the database is sound: %s", out);
    CHECK(run(db, one_unit, out, sizeof out) == OC_OK, "and keeps taking orders");
    oc_close(db);
    remove(path); remove("targets-link.db");
}

/* Channel orders arrive in the channel's state: cancelled reserves nothing, fulfilled leaves stock. */
static void test_channel_state(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    char out[8192];
    run(db, "{\"op\":\"channel.upsert\",\"channel\":\"shopify\",\"profile\":\"shopify\"}", NULL, 0);
    CHECK(run(db, "{\"op\":\"intake.ingest\",\"channel\":\"shopify\",\"payload\":{\"order\":{\"id\":1,\"financial_status\":\"paid\","
                  "\"cancelled_at\":\"2026-01-18T12:00:00Z\",\"currency\":\"CNY\",\"line_items\":[{\"sku\":\"A1\",\"quantity\":2,\"price\":\"5.00\"}]}}}",
              out, sizeof out) == OC_OK && strstr(out, "\"state\":\"cancelled\""), "a cancelled order lands cancelled: %s", out);
    CHECK(available(db, "A1") == 10, "and reserves nothing");
    CHECK(run(db, "{\"op\":\"intake.ingest\",\"channel\":\"shopify\",\"payload\":{\"order\":{\"id\":2,\"financial_status\":\"paid\","
                  "\"fulfillment_status\":\"fulfilled\",\"currency\":\"CNY\",\"line_items\":[{\"sku\":\"A1\",\"quantity\":2,\"price\":\"5.00\"}]}}}",
              out, sizeof out) == OC_OK && strstr(out, "\"state\":\"shipped\""), "a fulfilled order lands shipped: %s", out);
    char *response = NULL;
    oc_exec(db, "{\"op\":\"stock.get\",\"sku\":\"A1\"}", &response);
    CHECK(response && strstr(response, "\"on_hand\":8"), "its units left stock: %s", response ? response : "");
    oc_free(response);
    /* Sold short: the channel's order takes the units received first; the channel may sell only the rest. */
    CHECK(run(db, "{\"op\":\"intake.ingest\",\"channel\":\"shopify\",\"payload\":{\"order\":{\"id\":3,\"financial_status\":\"paid\","
                  "\"currency\":\"CNY\",\"line_items\":[{\"sku\":\"A1\",\"quantity\":11,\"price\":\"5.00\"}]}}}",
              out, sizeof out) == OC_OK && strstr(out, "\"backordered\""), "sold short: %s", out);
    CHECK(oc_stock_receive(db, "A1", "SH", 5) == OC_OK, "receive: %s", oc_errmsg(db));
    int64_t sellable = -1;
    CHECK(available(db, "A1") == 2 && oc_stock_sellable(db, "A1", "shopify", &sellable) == OC_OK && sellable == 2,
          "three of five went to the order sold short: available %lld, sellable %lld", (long long)available(db, "A1"),
          (long long)sellable);
    oc_close(db);
}

/* What a channel left of an order it shipped in part is allocated, packed and shipped here. */
static void test_channel_partial_shipment(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 10);
    char out[8192], id[32], request[512];
    run(db, "{\"op\":\"channel.upsert\",\"channel\":\"shopify\",\"profile\":\"shopify\"}", NULL, 0);
    CHECK(run(db, "{\"op\":\"intake.ingest\",\"channel\":\"shopify\",\"payload\":{\"order\":{\"id\":9,"
                  "\"financial_status\":\"paid\",\"fulfillment_status\":\"partial\",\"currency\":\"CNY\",\"line_items\":"
                  "[{\"sku\":\"A1\",\"quantity\":3,\"current_quantity\":3,\"fulfillable_quantity\":1,\"price\":\"5.00\"}]}}}",
              out, sizeof out) == OC_OK && strstr(out, "\"state\":\"partially_shipped\""), "two of three left: %s", out);
    order_id_of(out, id);
    char *decision = NULL;
    CHECK(oc_order_allocate(db, id, &decision) == OC_OK && decision && strcmp(decision, "single") == 0,
          "the rest is allocated: %s", oc_errmsg(db));
    oc_free(decision);
    snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[\"%s\",\"A1\",\"A1\"],"
             "\"weight_g\":0}", id, id);
    CHECK(run(db, request, out, sizeof out) == OC_CONFLICT, "only one unit is left to pack: %s", out);
    snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[\"%s\",\"A1\"],"
             "\"weight_g\":0}", id, id);
    CHECK(run(db, request, out, sizeof out) == OC_OK, "pack the last unit: %s", out);
    CHECK(oc_order_ship(db, id, "SF", "SF9") == OC_OK, "ship it: %s", oc_errmsg(db));
    snprintf(request, sizeof request, "{\"op\":\"order.get\",\"order_id\":\"%s\"}", id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"shipped\""), "shipped whole: %s", out);
    CHECK(available(db, "A1") == 7, "three units left stock, once each");
    oc_close(db);
}

static void test_returns(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    char out[8192], id[32];
    run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":2,\"unit_price\":\"10.00\"}],\"discounts\":[{\"kind\":\"coupon\",\"amount\":\"2.00\"}]}", out, sizeof out);
    order_id_of(out, id);
    oc_order_pay(db, id, NULL, NULL);
    oc_order_pickup(db, id);
    char request[512];
    snprintf(request, sizeof request, "{\"op\":\"return.request\",\"order_id\":\"%s\",\"reason\":\"defective\",\"lines\":[{\"line_no\":1,\"qty\":3}]}", id);
    CHECK(run(db, request, out, sizeof out) == OC_CONFLICT, "more than shipped: %s", out);
    snprintf(request, sizeof request, "{\"op\":\"return.request\",\"order_id\":\"%s\",\"reason\":\"defective\",\"lines\":[{\"line_no\":1,\"qty\":1}]}", id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"cash\":\"9.00\""), "a quote net of the coupon: %s", out);
    run(db, "{\"op\":\"actor.upsert\",\"actor_id\":\"clerk\",\"role\":\"operator\"}", NULL, 0);
    run(db, "{\"op\":\"config.set\",\"key\":\"returns.supervisor_above\",\"value\":5}", NULL, 0);
    CHECK(run(db, "{\"op\":\"return.approve\",\"return_id\":\"RT-000001\",\"actor\":\"clerk\"}", out, sizeof out) == OC_FORBIDDEN,
          "approval below the tier: %s", out);
    CHECK(run(db, "{\"op\":\"return.approve\",\"return_id\":\"RT-000001\"}", out, sizeof out) == OC_OK, "the host approves");
    CHECK(run(db, "{\"op\":\"return.receive\",\"return_id\":\"RT-000001\",\"warehouse\":\"SH\",\"lines\":[{\"line_no\":1,\"resellable\":1}]}",
              out, sizeof out) == OC_OK, "receive: %s", out);
    CHECK(run(db, "{\"op\":\"return.refund\",\"return_id\":\"RT-000001\"}", out, sizeof out) == OC_OK && strstr(out, "\"state\":\"refunded\""),
          "refund: %s", out);
    CHECK(available(db, "A1") == 4, "the resellable unit is back on sale");
    oc_close(db);
}

static void test_risk(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    char out[8192], id[32];
    CHECK(run(db, "{\"op\":\"risk.list_set\",\"kind\":\"ip\",\"value\":\"10.9.9.9\",\"list\":\"block\"}", out, sizeof out) == OC_OK, "block an IP");
    run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}],\"customer\":{\"ip\":\"10.9.9.9\"}}", out, sizeof out);
    order_id_of(out, id);
    char *state = NULL;
    CHECK(oc_order_state(db, id, &state) == OC_OK && strcmp(state, "on_hold") == 0, "held before any stock leaves: %s", state ? state : "(null)");
    oc_free(state);
    CHECK(oc_order_allocate(db, id, NULL) == OC_CONFLICT, "a held order is not allocated");
    char request[256];
    snprintf(request, sizeof request, "{\"op\":\"risk.review\",\"order_id\":\"%s\",\"decision\":\"reject\",\"reason\":\"fraud\"}", id);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"state\":\"cancelled\""), "rejection cancels: %s", out);
    CHECK(available(db, "A1") == 5, "and releases the stock");
    oc_close(db);
}

static void test_reports(void) {
    oc_db *db = NULL;
    oc_open(test_db(":memory:"), &db);
    setup_catalog(db, 5);
    char out[4096], id[32];
    run(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"7.70\"}],\"at\":\"2026-05-01T08:55:00Z\"}", out, sizeof out);
    order_id_of(out, id);
    char request[256];
    snprintf(request, sizeof request, "{\"op\":\"order.pay\",\"order_id\":\"%s\",\"payment_ref\":\"G-1\",\"at\":\"2026-05-01T09:00:00Z\"}", id);
    run(db, request, NULL, 0);
    CHECK(run(db, "{\"op\":\"report.sales\",\"from\":\"2026-05-01T00:00:00Z\",\"to\":\"2026-05-02T00:00:00Z\",\"by\":\"total\"}", out, sizeof out) == OC_OK
          && strstr(out, "\"gmv\":\"7.70\""), "sales: %s", out);
    CHECK(run(db, "{\"op\":\"reconcile.payments\",\"csv\":\"reference,amount\\nG-1,7.70\\n\"}", out, sizeof out) == OC_OK
          && strstr(out, "\"matched\":{\"count\":1"), "reconciliation: %s", out);
    CHECK(run(db, "{\"op\":\"report.health\",\"from\":\"2026-05-01T00:00:00Z\",\"to\":\"2026-05-02T00:00:00Z\",\"at\":\"2026-05-02T00:00:00Z\"}",
              out, sizeof out) == OC_OK && strstr(out, "{\"component\":\"backlog\",\"value\":null") && strstr(out, "\"unprocessed\":1"),
          "health: the paid order is the backlog, nothing shipped yet: %s", out);
    char path[64], line[256];
    snprintf(path, sizeof path, "/tmp/ordercore-c-export-%d.csv", (int)getpid());
    snprintf(request, sizeof request, "{\"op\":\"export\",\"request\":{\"op\":\"order.list\"},\"path\":\"%s\"}", path);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"rows\":1"), "export: %s", out);
    FILE *file = fopen(path, "r");
    CHECK(file && fgets(line, sizeof line, file) && strncmp(line, "order_id,channel,", 17) == 0, "exported CSV header: %s", file ? line : "(no file)");
    CHECK(file && fgets(line, sizeof line, file) && strncmp(line, id, strlen(id)) == 0, "exported row: %s", file ? line : "(no file)");
    if (file) fclose(file);
    unlink(path);
    CHECK(run(db, "{\"op\":\"db.check\"}", out, sizeof out) == OC_OK && strstr(out, "\"ok\":true,\"integrity\":[]"), "db.check: %s", out);
    if (postgresql) { oc_close(db); return; }  /* db.backup copies an SQLite file */
    snprintf(path, sizeof path, "/tmp/ordercore-c-backup-%d.db", (int)getpid());
    snprintf(request, sizeof request, "{\"op\":\"db.backup\",\"path\":\"%s\"}", path);
    CHECK(run(db, request, out, sizeof out) == OC_OK && strstr(out, "\"pages\":"), "db.backup: %s", out);
    oc_db *copy = NULL;
    CHECK(oc_open(path, &copy) == OC_OK && available(copy, "A1") == 4, "the backup opens with the same stock");
    oc_close(copy);
    unlink(path);
    oc_close(db);
}

int main(void) {
    postgresql = getenv("ORDERCORE_TEST_POSTGRESQL");
    if (postgresql) printf("on PostgreSQL (%s); the tests of SQLite files are skipped\n", postgresql);
    test_version();
    test_null_arguments();
    test_bad_requests();
    if (!postgresql) test_open_errors();
    test_order_path();
    test_lazy_expiry();
    test_typed_create();
    test_idempotency();
    test_adjust_and_verify();
    test_channels();
    test_pickup();
    test_fulfillment();
    test_threads();
    if (!postgresql) test_checkpoint_thread_and_fork();
    test_thread_local_errors();
    test_batches();
    test_change_feed();
    test_roles();
    if (!postgresql) test_output_targets();
    test_channel_state();
    test_channel_partial_shipment();
    test_returns();
    test_risk();
    test_reports();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
