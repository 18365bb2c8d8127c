/*
 * Benchmark: the reports over 10,000 and 1,000,000 orders (and 10,000 and 100,000 channel events), in one run.
 *
 * 10,000 orders go through OrderCore (created, paid, allocated, packed, shipped over 30 days; 5% left
 * waiting, 2% never paid) in atomic batches. That history is then copied 99 times by plain SQL into
 * the 30-day stretches before it (new ids, order codes, payment references and tracking numbers; the
 * ledger copied too and balances recomputed; copies of unfinished orders cancelled, as old orders are),
 * making 1,000,000 orders; channel events are added by SQL (10,000, then 100,000). Each report runs 5
 * times on each size in a process of its own (`reports --one DB REQUEST`), which prints the median and its
 * peak memory; the ratio large / small follows. A report over the last 7 days should cost the same at
 * both sizes; one over the whole history reads every order in it, and the ledger check reads the whole
 * ledger. Memory should not grow with the data: the basket and the intake review hold bounded state.
 *
 *   reports [ORDERS] [COPIES] [EVENTS] [MORE_EVENTS]      (default 10000 99 10000 100000)
 */
#include "floor.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#define DAY_MS 86400000LL
#define END_MS 1780185600000LL /* 2026-05-31T00:00:00Z: the history's end; reports run at this time */
#define AT ",\"at\":\"2026-05-31T00:00:00Z\""

static void iso(long long ms, char *out) {
    time_t seconds = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs the collected requests as one atomic batch. */
static void flush(oc_db *db, char *batch, size_t *used) {
    if (*used <= 1) return;
    batch[*used - 1] = ']';
    batch[*used] = '\0';
    char *response = NULL;
    if (oc_exec_batch(db, batch, OC_BATCH_ATOMIC, &response) != OC_OK) die("batch", response ? response : oc_errmsg(db));
    oc_free(response);
    batch[0] = '[';
    *used = 1;
}

static void add(oc_db *db, char *batch, size_t *used, const char *request) {
    size_t n = strlen(request);
    if (*used + n + 2 > 4000000) flush(db, batch, used);
    memcpy(batch + *used, request, n);
    *used += n;
    batch[(*used)++] = ',';
}

/* `orders` orders over the 30 days before END_MS through the engine. */
static void build(const char *path, int orders) {
    oc_db *db = NULL;
    unlink(path);
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    char *batch = malloc(4000064), request[1024], at[32], at2[32];
    size_t used = 1;
    batch[0] = '[';
    add(db, batch, &used, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\",\"priority\":1}");
    add(db, batch, &used, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"BJ\",\"priority\":2}");
    for (int s = 0; s < 50; s++) {
        snprintf(request, sizeof request, "{\"op\":\"sku.upsert\",\"sku\":\"S%d\",\"name\":\"Item %d\"}", s, s);
        add(db, batch, &used, request);
        snprintf(request, sizeof request, "{\"op\":\"stock.receive\",\"sku\":\"S%d\",\"warehouse\":\"%s\",\"qty\":1000000}", s, "SH");
        add(db, batch, &used, request);
    }
    const char *channels[] = {"web", "app", "taobao", "amazon"};
    srand(11);
    for (int i = 1; i <= orders; i++) {
        long long placed = END_MS - 30 * DAY_MS + (long long)i * (30 * DAY_MS - 4 * 3600000LL) / orders;
        /* 1 to 3 lines of distinct SKUs (the basket's pairs), each 1 to 3 units; ship-to one of 31 regions. */
        int lines = 1 + rand() % 3, skus[3], qtys[3];
        skus[0] = rand() % 50;
        for (int l = 1; l < lines; l++) skus[l] = (skus[l - 1] + 1 + rand() % 7) % 50;
        char items[512] = "", scans[256] = "";
        for (int l = 0; l < lines; l++) {
            qtys[l] = 1 + rand() % 3;
            snprintf(items + strlen(items), sizeof items - strlen(items), "%s{\"sku\":\"S%d\",\"qty\":%d,\"unit_price\":\"%d.90\"}",
                     l ? "," : "", skus[l], qtys[l], 10 + skus[l]);
            for (int q = 0; q < qtys[l]; q++) snprintf(scans + strlen(scans), sizeof scans - strlen(scans), ",\"S%d\"", skus[l]);
        }
        iso(placed, at);
        snprintf(request, sizeof request,
                 "{\"op\":\"order.create\",\"channel\":\"%s\",\"lines\":[%s],\"ship_to\":{\"country\":\"CN\",\"region\":\"R%02d\"},"
                 "\"shipping_fee\":\"5.00\",\"at\":\"%s\"}", channels[i % 4], items, i % 31, at);
        add(db, batch, &used, request);
        if (i % 50 == 0) continue;                               /* 2% never paid */
        iso(placed + 300000, at);
        snprintf(request, sizeof request, "{\"op\":\"order.pay\",\"order_id\":\"SO-%06d\",\"payment_ref\":\"P%d\",\"at\":\"%s\"}", i, i, at);
        add(db, batch, &used, request);
        if (i % 20 == 1) continue;                               /* 5% still waiting */
        iso(placed + 3600000, at);
        snprintf(request, sizeof request, "{\"op\":\"order.allocate\",\"order_id\":\"SO-%06d\",\"at\":\"%s\"}", i, at);
        add(db, batch, &used, request);
        long long shipped = placed + 3600000LL * (2 + rand() % 60);
        iso(shipped - 1800000, at);
        iso(shipped, at2);
        snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"SO-%06d\",\"scans\":[\"SO-%06d\"%s],\"weight_g\":0,\"at\":\"%s\"}",
                 i, i, scans, at);
        add(db, batch, &used, request);
        snprintf(request, sizeof request, "{\"op\":\"order.ship\",\"order_id\":\"SO-%06d\",\"carrier\":\"SF\",\"tracking_no\":\"SF%d\",\"at\":\"%s\"}",
                 i, i, at2);
        add(db, batch, &used, request);
    }
    flush(db, batch, &used);
    free(batch);
    oc_close(db);
}

/* Columns of `table` with some replaced by expressions: "col=expr;col=expr". */
static void copy_table(sqlite3 *db, const char *table, const char *overrides, const char *where) {
    char sql[8192], columns[4096] = "", values[4096] = "", query[256];
    snprintf(query, sizeof query, "PRAGMA table_info(%s)", table);
    sqlite3_stmt *info;
    sqlite3_prepare_v2(db, query, -1, &info, NULL);
    while (sqlite3_step(info) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(info, 1);
        char key[96];
        snprintf(key, sizeof key, ";%s=", name);
        const char *o = strstr(overrides, key);
        char expr[256];
        if (o) {
            o += strlen(key);
            size_t n = strcspn(o, ";");
            memcpy(expr, o, n);
            expr[n] = '\0';
        } else {
            snprintf(expr, sizeof expr, "%s", name);
        }
        snprintf(columns + strlen(columns), sizeof columns - strlen(columns), "%s%s", columns[0] ? "," : "", name);
        snprintf(values + strlen(values), sizeof values - strlen(values), "%s%s", values[0] ? "," : "", expr);
    }
    sqlite3_finalize(info);
    snprintf(sql, sizeof sql, "INSERT INTO %s(%s) SELECT %s FROM %s WHERE %s", table, columns, values, table, where);
    sql_exec(db, sql);
}

static long long max_id(sqlite3 *db, const char *table) {
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COALESCE(MAX(id), 0) FROM %s", table);
    sqlite3_stmt *s;
    sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    sqlite3_step(s);
    long long n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

/* Copies the history `copies` times into the 30-day stretches before it. */
static void grow(const char *path, int copies) {
    sqlite3 *db;
    sqlite3_open(path, &db);
    sql_exec(db, "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL; BEGIN");
    const char *tables[] = {"orders", "reservations", "payments", "order_events", "shipments", "parcels", "ledger"};
    long long n[7];
    for (int t = 0; t < 7; t++) n[t] = max_id(db, tables[t]);
    char o[2048], w[256];
    for (int k = 1; k <= copies; k++) {
        long long shift = k * 30 * DAY_MS, no = k * n[0];
        snprintf(o, sizeof o, ";id=id+%lld;order_id=order_id||'-%d';external_id=NULL;fingerprint=NULL;placed_at=placed_at-%lld;"
                 "created_at=created_at-%lld;updated_at=updated_at-%lld;paid_at=paid_at-%lld;state_since=state_since-%lld;"
                 "expires_at=NULL;delivered_at=delivered_at-%lld;"
                 "state=CASE WHEN state IN ('shipped','delivered','completed','cancelled') THEN state ELSE 'cancelled' END;",
                 no, k, shift, shift, shift, shift, shift, shift);
        snprintf(w, sizeof w, "id <= %lld", n[0]);
        copy_table(db, "orders", o, w);
        snprintf(o, sizeof o, ";order_rowid=order_rowid+%lld;", no);
        snprintf(w, sizeof w, "order_rowid <= %lld", n[0]);
        copy_table(db, "order_lines", o, w);
        snprintf(o, sizeof o, ";id=id+%lld;order_rowid=order_rowid+%lld;expires_at=NULL;state=CASE state WHEN 'active' THEN 'released' ELSE state END;",
                 k * n[1], no);
        snprintf(w, sizeof w, "id <= %lld", n[1]);
        copy_table(db, "reservations", o, w);
        snprintf(o, sizeof o, ";id=id+%lld;order_rowid=order_rowid+%lld;payment_ref=payment_ref||'-%d';at=at-%lld;", k * n[2], no, k, shift);
        snprintf(w, sizeof w, "id <= %lld", n[2]);
        copy_table(db, "payments", o, w);
        snprintf(o, sizeof o, ";id=id+%lld;order_rowid=order_rowid+%lld;at=at-%lld;", k * n[3], no, shift);
        snprintf(w, sizeof w, "id <= %lld", n[3]);
        copy_table(db, "order_events", o, w);
        snprintf(o, sizeof o, ";id=id+%lld;order_rowid=order_rowid+%lld;tracking_no=tracking_no||'-%d';shipped_at=shipped_at-%lld;"
                 "picked_up_at=picked_up_at-%lld;delivered_at=delivered_at-%lld;last_event_at=last_event_at-%lld;",
                 k * n[4], no, k, shift, shift, shift, shift);
        snprintf(w, sizeof w, "id <= %lld", n[4]);
        copy_table(db, "shipments", o, w);
        snprintf(o, sizeof o, ";id=id+%lld;order_rowid=order_rowid+%lld;shipment_rowid=shipment_rowid+%lld;packed_at=packed_at-%lld;",
                 k * n[5], no, k * n[4], shift);
        snprintf(w, sizeof w, "id <= %lld", n[5]);
        copy_table(db, "parcels", o, w);
        snprintf(o, sizeof o, ";parcel_rowid=parcel_rowid+%lld;", k * n[5]);
        snprintf(w, sizeof w, "parcel_rowid <= %lld", n[5]);
        copy_table(db, "parcel_lines", o, w);
        /* Stock movements of the copied orders (receipts are not copied: stock arrived once). */
        snprintf(o, sizeof o, ";id=id+%lld;at=at-%lld;ref_id=ref_id||'-%d';", k * n[6], shift, k);
        snprintf(w, sizeof w, "id <= %lld AND reason != 'receive'", n[6]);
        copy_table(db, "ledger", o, w);
    }
    /* Copied reservations were released and shipments took stock: balances follow the ledger again. */
    sql_exec(db, "INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, actor) "
             "SELECT 0, s.sku, s.warehouse, 'reserved', -(SELECT COALESCE(SUM(l.delta), 0) FROM ledger l WHERE l.sku = s.sku AND l.warehouse = s.warehouse AND l.bucket = 'reserved') "
             "+ (SELECT COALESCE(SUM(r.qty), 0) FROM reservations r WHERE r.sku = s.sku AND r.warehouse = s.warehouse AND r.state = 'active'), 'adjust', 'system' FROM stock s");
    sql_exec(db, "UPDATE stock SET on_hand = (SELECT SUM(delta) FROM ledger l WHERE l.sku = stock.sku AND l.warehouse = stock.warehouse AND bucket = 'on_hand'), "
             "reserved = (SELECT SUM(delta) FROM ledger l WHERE l.sku = stock.sku AND l.warehouse = stock.warehouse AND bucket = 'reserved')");
    sql_exec(db, "COMMIT");
    sqlite3_close(db);
}

struct report { const char *name, *request; double small_ms, large_ms; long small_kb, large_kb; };

/* Median microseconds of an order.create + order.pay: the per-order cost at this size. */
static double create_pay_us(oc_db *db) {
    double t[200];
    for (int i = 0; i < 200; i++) {
        char *response = NULL, id[32];
        double start = now();
        if (oc_exec(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"S1\",\"qty\":1,\"unit_price\":\"5.00\"}]" AT "}", &response) != OC_OK)
            die("order.create", response ? response : oc_errmsg(db));
        order_id_of(response, id);
        oc_free(response);
        char pay[160];
        snprintf(pay, sizeof pay, "{\"op\":\"order.pay\",\"order_id\":\"%s\"" AT "}", id);
        if (oc_exec(db, pay, NULL) != OC_OK) die("order.pay", oc_errmsg(db));
        t[i] = (now() - start) * 1e6;
    }
    return median(t, 200);
}

/* `reports --one DB REQUEST`: runs one report 5 times in this fresh process and prints the median
 * milliseconds and the process's peak resident memory in KB, so each report's memory is its own. */
static int run_one(const char *path, const char *request) {
    oc_db *db = NULL;
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    double t[5];
    for (int r = 0; r < 5; r++) {
        char *response = NULL;
        double start = now();
        if (oc_exec(db, request, &response) != OC_OK) die(request, response ? response : oc_errmsg(db));
        t[r] = (now() - start) * 1e3;
        oc_free(response);
    }
    oc_close(db);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("%.3f %ld\n", median(t, 5), usage.ru_maxrss);
    return 0;
}

static void time_report(const char *self, const char *path, struct report *r, int large) {
    char command[2048];
    snprintf(command, sizeof command, "%s --one %s '%s'", self, path, r->request);
    FILE *child = popen(command, "r");
    double ms = 0;
    long kb = 0;
    if (!child || fscanf(child, "%lf %ld", &ms, &kb) != 2) die("child report", r->request);
    if (pclose(child) != 0) die("child report failed", r->request);
    if (large) { r->large_ms = ms; r->large_kb = kb; } else { r->small_ms = ms; r->small_kb = kb; }
}

static void measure(const char *self, const char *path, struct report *reports, int count, int large, double *create_pay) {
    for (int i = 0; i < count; i++) time_report(self, path, &reports[i], large);
    oc_db *db = NULL;
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    *create_pay = create_pay_us(db);
    char *response = NULL;
    oc_exec(db, "{\"op\":\"stock.verify\"}", &response);
    if (!strstr(response, "\"ok\":true")) die("stock.verify after growing", response);
    oc_free(response);
    oc_close(db);
}

/* Channel events number `first`..`last` into the inbox by SQL, over the 14 days before END_MS (the
 * report's 7 days and the 7 before them), on four channels: payloads of 200 B to 3 KB with nested line
 * items; the second half of each thousand carries a new field; 1 % are dead letters. */
static void add_events(const char *path, int first, int last) {
    sqlite3 *db;
    sqlite3_open(path, &db);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
             "INSERT INTO inbox(channel, event_type, event_id, payload_hash, payload, received_at, state, outcome, updated_at) "
             "SELECT CASE i %% 4 WHEN 0 THEN 'web' WHEN 1 THEN 'app' WHEN 2 THEN 'taobao' ELSE 'amazon' END, 'orders/create', "
             "'E' || i, i, '{\"id\":' || i || ',\"order\":{\"line_items\":[{\"sku\":\"S' || (i %% 50) || '\",\"quantity\":' || "
             "(1 + i %% 3) || '}],\"customer\":{\"phone\":\"138' || i || '\"},\"note\":\"' || substr(hex(zeroblob(1400)), 1, "
             "(i * 37) %% 2800) || '\"' || CASE WHEN i %% 1000 >= 500 THEN ',\"gift\":{\"wrap\":true}' ELSE '' END || '}}', "
             "%lld - (i * 7919 %% 1209600) * 1000, CASE WHEN i %% 100 = 0 THEN 'dead' ELSE 'applied' END, '{}', %lld FROM n",
             first, last, END_MS, END_MS);
    sql_exec(db, sql);
    sqlite3_close(db);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--one") == 0) return run_one(argv[2], argv[3]);
    int orders = argc > 1 ? atoi(argv[1]) : 10000;
    int copies = argc > 2 ? atoi(argv[2]) : 99;
    int events = argc > 3 ? atoi(argv[3]) : 10000, more_events = argc > 4 ? atoi(argv[4]) : 100000;
    if (orders < 100 || copies < 1 || events < 1 || more_events < events)
        die("usage", "reports [ORDERS >= 100] [COPIES >= 1] [EVENTS] [MORE_EVENTS >= EVENTS]");
    struct report reports[] = {
        {"report.health, last 7 days (verify=false)", "{\"op\":\"report.health\",\"verify\":false" AT "}"},
        {"report.health, last 7 days, with the ledger check", "{\"op\":\"report.health\"" AT "}"},
        {"report.sales by day, last 7 days", "{\"op\":\"report.sales\"" AT "}"},
        {"report.sales by channel, last 30 days", "{\"op\":\"report.sales\",\"by\":\"channel\",\"from\":\"2026-05-01T00:00:00Z\"" AT "}"},
        {"report.sales by SKU, last 7 days", "{\"op\":\"report.sales\",\"by\":\"sku\"" AT "}"},
        {"report.alerts", "{\"op\":\"report.alerts\"" AT "}"},
        {"report.funnel, last 7 days", "{\"op\":\"report.funnel\"" AT "}"},
        {"report.regions by region, last 30 days", "{\"op\":\"report.regions\",\"level\":\"region\",\"from\":\"2026-05-01T00:00:00Z\"" AT "}"},
        {"report.basket, last 30 days", "{\"op\":\"report.basket\",\"from\":\"2026-05-01T00:00:00Z\"" AT "}"},
        {"report.intake, last 7 days against the 7 before", "{\"op\":\"report.intake\"" AT "}"},
        {"report.sales in total, whole history", "{\"op\":\"report.sales\",\"by\":\"total\",\"from\":\"2000-01-01T00:00:00Z\"" AT "}"},
        {"report.health, whole history (verify=false)", "{\"op\":\"report.health\",\"verify\":false,\"from\":\"2000-01-01T00:00:00Z\"" AT "}"},
        {"report.basket, whole history", "{\"op\":\"report.basket\",\"from\":\"2000-01-01T00:00:00Z\"" AT "}"},
    };
    int count = (int)(sizeof reports / sizeof reports[0]);
    const char *path = "bench-reports.db";
    printf("reports: median of 5 runs each in a fresh process (peak memory of that process), synchronous=NORMAL, "
           "OrderCore %s\n", oc_version());
    double start = now();
    build(path, orders);
    add_events(path, 1, events);
    printf("  built %d orders through OrderCore and %d channel events in %.1f s\n", orders, events, now() - start);
    double small_create_pay, large_create_pay;
    measure(argv[0], path, reports, count, 0, &small_create_pay);
    start = now();
    grow(path, copies);
    add_events(path, events + 1, more_events);
    printf("  copied to %d orders, %d channel events in %.1f s\n", orders * (copies + 1), more_events, now() - start);
    measure(argv[0], path, reports, count, 1, &large_create_pay);
    char small[48], large[48];
    snprintf(small, sizeof small, "%dk orders, %dk events", orders / 1000, events / 1000);
    snprintf(large, sizeof large, "%dk orders, %dk events", orders * (copies + 1) / 1000, more_events / 1000);
    printf("  %-50s %24s %24s %8s\n", "", small, large, "ratio");
    for (int i = 0; i < count; i++) {
        printf("  %-50s %10.1f ms %7.1f MB %10.1f ms %7.1f MB %7.2fx\n", reports[i].name, reports[i].small_ms,
               reports[i].small_kb / 1024.0, reports[i].large_ms, reports[i].large_kb / 1024.0,
               reports[i].large_ms / reports[i].small_ms);
    }
    printf("  %-50s %10.0f us %10s %10.0f us %10s %7.2fx\n", "order.create + pay (per order)", small_create_pay, "",
           large_create_pay, "", large_create_pay / small_create_pay);
    remove_database(path);
    return 0;
}
