/*
 * Benchmark: the full order lifecycle through the C ABI -- create, pay, allocate, pick, pack (with scans
 * and the weight check), ship, deliver -- in orders per second, compared in the same run with place +
 * pay alone; and the cost of order.get / order.timeline on a database of 10,000 orders against one of
 * 1,000,000 (seeded by SQL after OrderCore made the schema), which must not grow with history.
 *
 *   lifecycle [ORDERS] [LOOKUPS]      (default 300 2000)
 */
#include "floor.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

static oc_db *open_db(const char *path, unsigned flags) {
    oc_db *db = NULL;
    if (oc_open_v2(path, &db, flags) != OC_OK) die("oc_open", oc_errmsg(db));
    return db;
}

static void exec_ok(oc_db *db, const char *json, char *id_out) {
    char *response = NULL;
    if (oc_exec(db, json, &response) != OC_OK) die(json, response ? response : oc_errmsg(db));
    if (id_out) {
        order_id_of(response, id_out);
    }
    oc_free(response);
}

/* Orders per second: place + pay only, or the whole lifecycle. */
static double run_orders(const char *path, int orders, int full, unsigned flags) {
    unlink(path);
    oc_db *db = open_db(path, flags);
    exec_ok(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    exec_ok(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\",\"barcode\":\"690001\",\"weight_g\":300}", NULL);
    exec_ok(db, "{\"op\":\"sku.upsert\",\"sku\":\"B2\",\"barcode\":\"690002\",\"weight_g\":200}", NULL);
    oc_stock_receive(db, "A1", "SH", 100000000);
    oc_stock_receive(db, "B2", "SH", 100000000);
    char id[32], request[512], tracking[32];
    double start = now();
    for (int i = 0; i < orders; i++) {
        exec_ok(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"10.00\"},"
                    "{\"sku\":\"B2\",\"qty\":1,\"unit_price\":\"5.00\"}]}", id);
        if (oc_order_pay(db, id, NULL, NULL) != OC_OK) die("pay", oc_errmsg(db));
        if (!full) continue;
        snprintf(request, sizeof request, "{\"op\":\"order.allocate\",\"order_id\":\"%s\"}", id);
        exec_ok(db, request, NULL);
        snprintf(request, sizeof request, "{\"op\":\"order.pick\",\"order_id\":\"%s\"}", id);
        exec_ok(db, request, NULL);
        snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[\"%s\",\"690001\",\"690002\"],\"weight_g\":505}", id, id);
        exec_ok(db, request, NULL);
        snprintf(tracking, sizeof tracking, "T%d", i);
        if (oc_order_ship(db, id, "SF", tracking) != OC_OK) die("ship", oc_errmsg(db));
        if (oc_order_deliver(db, id, NULL) != OC_OK) die("deliver", oc_errmsg(db));
    }
    double rate = orders / (now() - start);
    oc_close(db);
    return rate;
}

/* A database of `orders` delivered-looking orders with 2 lines and 7 timeline events each. */
static void seed(const char *path, int orders) {
    unlink(path);
    oc_db *db = open_db(path, 0);
    exec_ok(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    exec_ok(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\"}", NULL);
    oc_close(db);
    sqlite3 *raw;
    sqlite3_open(path, &raw);
    sql_exec(raw, "PRAGMA synchronous=OFF; BEGIN");
    sqlite3_stmt *order, *line, *event;
    sqlite3_prepare_v2(raw, "INSERT INTO orders(id, order_id, channel, state, currency, placed_at, created_at, updated_at, subtotal, "
                            "line_discount_total, discount_total, shipping_fee, shipping_tax, tax_total, taxes_included, grand_total, "
                            "paid_total, state_since) VALUES (?1, printf('SO-%06d', ?1), 'web', 'delivered', 'CNY', 0, 0, 0, 1500, 0, 0, 0, 0, 0, 1, "
                            "1500, 1500, 0)", -1, &order, NULL);
    sqlite3_prepare_v2(raw, "INSERT INTO order_lines(order_rowid, line_no, sku, qty, unit_price, line_discount, tax, qty_shipped, qty_delivered) "
                            "VALUES (?1, ?2, 'A1', 1, 750, 0, 0, 1, 1)", -1, &line, NULL);
    sqlite3_prepare_v2(raw, "INSERT INTO order_events(order_rowid, seq, at, actor, from_state, to_state, command, details) "
                            "VALUES (?1, ?2, 0, 'seed', 'x', 'y', 'seed', '{}')", -1, &event, NULL);
    for (int i = 1; i <= orders; i++) {
        sqlite3_bind_int(order, 1, i); sqlite3_step(order); sqlite3_reset(order);
        for (int l = 1; l <= 2; l++) { sqlite3_bind_int(line, 1, i); sqlite3_bind_int(line, 2, l); sqlite3_step(line); sqlite3_reset(line); }
        for (int e = 1; e <= 7; e++) { sqlite3_bind_int(event, 1, i); sqlite3_bind_int(event, 2, e); sqlite3_step(event); sqlite3_reset(event); }
    }
    sqlite3_finalize(order); sqlite3_finalize(line); sqlite3_finalize(event);
    sql_exec(raw, "COMMIT");
    sqlite3_close(raw);
}

/* Median microseconds of order.get and of order.timeline on random orders. */
static void lookups(const char *path, int orders, int count, double *get_us, double *timeline_us) {
    oc_db *db = open_db(path, OC_OPEN_SYNCHRONOUS_NORMAL);
    double *t = malloc(sizeof(double) * count), *u = malloc(sizeof(double) * count);
    char request[128];
    srand(11);
    for (int i = 0; i < count; i++) {
        int n = 1 + rand() % orders;
        snprintf(request, sizeof request, "{\"op\":\"order.get\",\"order_id\":\"SO-%06d\"}", n);
        double start = now();
        exec_ok(db, request, NULL);
        t[i] = (now() - start) * 1e6;
        snprintf(request, sizeof request, "{\"op\":\"order.timeline\",\"order_id\":\"SO-%06d\"}", n);
        start = now();
        exec_ok(db, request, NULL);
        u[i] = (now() - start) * 1e6;
    }
    *get_us = median(t, count);
    *timeline_us = median(u, count);
    free(t); free(u);
    oc_close(db);
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 300;
    int count = argc > 2 ? atoi(argv[2]) : 2000;
    if (orders < 1 || count < 1) die("usage", "lifecycle [ORDERS] [LOOKUPS]");
    printf("lifecycle: %d two-line orders, OrderCore %s\n", orders, oc_version());
    const char *names[] = {"FULL", "NORMAL"};
    for (int mode = 0; mode < 2; mode++) {
        unsigned flags = mode ? OC_OPEN_SYNCHRONOUS_NORMAL : 0;
        double place = run_orders("bench-life.db", orders, 0, flags);
        double full = run_orders("bench-life.db", orders, 1, flags);
        printf("  synchronous=%-6s place+pay %7.0f orders/s, full lifecycle (create..deliver, 7 commands) %7.0f orders/s, ratio %.2f\n",
               names[mode], place, full, full / place);
    }
    double small_get, small_tl, large_get, large_tl, t0 = now();
    seed("bench-10k.db", 10000);
    lookups("bench-10k.db", 10000, count, &small_get, &small_tl);
    seed("bench-1m.db", 1000000);
    printf("  seeded 10,000 and 1,000,000 orders in %.1f s\n", now() - t0);
    lookups("bench-1m.db", 1000000, count, &large_get, &large_tl);
    printf("  order.get      median: %6.1f us at 10k orders, %6.1f us at 1M orders (%.2fx)\n", small_get, large_get, large_get / small_get);
    printf("  order.timeline median: %6.1f us at 10k orders, %6.1f us at 1M orders (%.2fx; target: about 1x)\n", small_tl, large_tl,
           large_tl / small_tl);
    const char *files[] = {"bench-life.db", "bench-10k.db", "bench-1m.db"};
    for (int f = 0; f < 3; f++) remove_database(files[f]);
    return 0;
}
