/*
 * Benchmark: report.health and report.sales over 10,000 and 1,000,000 orders, in one run.
 *
 * 10,000 orders go through OrderCore (created, paid, allocated, packed, shipped over 30 days; 5% left
 * waiting, 2% never paid) in atomic batches. That history is then copied 99 times by plain SQL into
 * the 30-day stretches before it (new ids, order codes, payment references and tracking numbers; the
 * ledger copied too and balances recomputed; copies of unfinished orders cancelled, as old orders are),
 * making 1,000,000 orders. Each report is run 5 times on each size; medians are printed, and the ratio
 * large / small. A report over the last 7 days should cost the same at both sizes; one over the whole
 * history reads every order in it, and the ledger check reads the whole ledger.
 *
 *   reports [ORDERS] [COPIES]      (default 10000 99)
 */
#include "floor.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
        snprintf(request, sizeof request, "{\"op\":\"stock.receive\",\"sku\":\"S%d\",\"warehouse\":\"%s\",\"qty\":1000000}", s, s % 3 ? "SH" : "BJ");
        add(db, batch, &used, request);
    }
    const char *channels[] = {"web", "app", "taobao", "amazon"};
    srand(11);
    for (int i = 1; i <= orders; i++) {
        long long placed = END_MS - 30 * DAY_MS + (long long)i * (30 * DAY_MS - 4 * 3600000LL) / orders;
        int sku = rand() % 50, qty = 1 + rand() % 3;
        iso(placed, at);
        snprintf(request, sizeof request,
                 "{\"op\":\"order.create\",\"channel\":\"%s\",\"lines\":[{\"sku\":\"S%d\",\"qty\":%d,\"unit_price\":\"%d.90\"}],"
                 "\"shipping_fee\":\"5.00\",\"at\":\"%s\"}", channels[i % 4], sku, qty, 10 + sku, at);
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
        char scans[128] = "";
        for (int q = 0; q < qty; q++) snprintf(scans + strlen(scans), sizeof scans - strlen(scans), ",\"S%d\"", sku);
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

struct report { const char *name, *request; double small_ms, large_ms; };

/* Median microseconds of an order.create + order.pay: the per-order cost at this size. */
static double create_pay_us(oc_db *db) {
    double t[200];
    for (int i = 0; i < 200; i++) {
        char *response = NULL, id[32];
        double start = now();
        if (oc_exec(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"S1\",\"qty\":1,\"unit_price\":\"5.00\"}]" AT "}", &response) != OC_OK)
            die("order.create", response ? response : oc_errmsg(db));
        const char *p = strstr(response, "\"order_id\":\"") + 12;
        size_t n = strcspn(p, "\"");
        memcpy(id, p, n);
        id[n] = '\0';
        oc_free(response);
        char pay[160];
        snprintf(pay, sizeof pay, "{\"op\":\"order.pay\",\"order_id\":\"%s\"" AT "}", id);
        if (oc_exec(db, pay, NULL) != OC_OK) die("order.pay", oc_errmsg(db));
        t[i] = (now() - start) * 1e6;
    }
    return median(t, 200);
}

static double time_report(oc_db *db, const char *request) {
    double t[5];
    for (int r = 0; r < 5; r++) {
        char *response = NULL;
        double start = now();
        if (oc_exec(db, request, &response) != OC_OK) die(request, response ? response : oc_errmsg(db));
        t[r] = (now() - start) * 1e3;
        oc_free(response);
    }
    return median(t, 5);
}

static void measure(const char *path, struct report *reports, int count, int large, double *create_pay) {
    oc_db *db = NULL;
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    for (int i = 0; i < count; i++) {
        double ms = time_report(db, reports[i].request);
        if (large) reports[i].large_ms = ms; else reports[i].small_ms = ms;
    }
    *create_pay = create_pay_us(db);
    char *response = NULL;
    oc_exec(db, "{\"op\":\"stock.verify\"}", &response);
    if (!strstr(response, "\"ok\":true")) die("stock.verify after growing", response);
    oc_free(response);
    oc_close(db);
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 10000;
    int copies = argc > 2 ? atoi(argv[2]) : 99;
    if (orders < 100 || copies < 1) die("usage", "reports [ORDERS >= 100] [COPIES >= 1]");
    struct report reports[] = {
        {"report.health, last 7 days (verify=false)", "{\"op\":\"report.health\",\"verify\":false" AT "}", 0, 0},
        {"report.health, last 7 days, with the ledger check", "{\"op\":\"report.health\"" AT "}", 0, 0},
        {"report.sales by day, last 7 days", "{\"op\":\"report.sales\"" AT "}", 0, 0},
        {"report.sales by channel, last 30 days", "{\"op\":\"report.sales\",\"by\":\"channel\",\"from\":\"2026-05-01T00:00:00Z\"" AT "}", 0, 0},
        {"report.sales by SKU, last 7 days", "{\"op\":\"report.sales\",\"by\":\"sku\"" AT "}", 0, 0},
        {"report.alerts", "{\"op\":\"report.alerts\"" AT "}", 0, 0},
        {"report.sales in total, whole history", "{\"op\":\"report.sales\",\"by\":\"total\",\"from\":\"2000-01-01T00:00:00Z\"" AT "}", 0, 0},
        {"report.health, whole history (verify=false)", "{\"op\":\"report.health\",\"verify\":false,\"from\":\"2000-01-01T00:00:00Z\"" AT "}", 0, 0},
    };
    int count = (int)(sizeof reports / sizeof reports[0]);
    const char *path = "bench-reports.db";
    printf("reports: median of 5 runs each, synchronous=NORMAL, OrderCore %s\n", oc_version());
    double start = now();
    build(path, orders);
    printf("  built %d orders through OrderCore in %.1f s\n", orders, now() - start);
    double small_create_pay, large_create_pay;
    measure(path, reports, count, 0, &small_create_pay);
    start = now();
    grow(path, copies);
    printf("  copied to %d orders in %.1f s\n", orders * (copies + 1), now() - start);
    measure(path, reports, count, 1, &large_create_pay);
    char small[32], large[32];
    snprintf(small, sizeof small, "%d orders", orders);
    snprintf(large, sizeof large, "%d orders", orders * (copies + 1));
    printf("  %-52s %14s %14s %8s\n", "", small, large, "ratio");
    for (int i = 0; i < count; i++) {
        printf("  %-52s %11.1f ms %11.1f ms %7.2fx\n", reports[i].name, reports[i].small_ms, reports[i].large_ms,
               reports[i].large_ms / reports[i].small_ms);
    }
    printf("  %-52s %11.0f us %11.0f us %7.2fx\n", "order.create + pay (per order)", small_create_pay, large_create_pay,
           large_create_pay / small_create_pay);
    remove_database(path);
    return 0;
}
