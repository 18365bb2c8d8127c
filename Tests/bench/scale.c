/*
 * Benchmark: the cost of a stock read (oc_stock_available) and of a reserve + release (order.create +
 * oc_order_cancel) must not grow with the size of the catalog or the history. Compared in one run:
 * a small database (1,000 SKUs x 5 warehouses, 10,000 ledger rows) and a large one (100,000 SKUs x 5
 * warehouses, 1,000,000 ledger rows). Both are seeded with consistent rows (balances equal to their
 * ledger) by plain SQL after OrderCore has created the schema. synchronous=NORMAL, so that the figures
 * show work rather than fsync.
 *
 *   scale [READS] [ORDERS]      (default 4000 1000)
 */
#include "floor.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>



/* SKUs S0..S(n-1) in warehouses W0..W4; each balance of 1,000 units is `rows` receipts. */
static void seed(const char *path, int skus, int rows_per_balance) {
    oc_db *oc = NULL;
    unlink(path);
    if (oc_open(path, &oc) != OC_OK) die("oc_open", oc_errmsg(oc));
    oc_close(oc);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sql_exec(db, "PRAGMA synchronous=OFF; BEGIN");
    sql_exec(db, "INSERT INTO warehouses(warehouse, name, priority, created_at, updated_at) "
             "VALUES ('W0','W0',1,0,0),('W1','W1',2,0,0),('W2','W2',3,0,0),('W3','W3',4,0,0),('W4','W4',5,0,0)");
    sqlite3_stmt *sku, *stock, *ledger;
    sqlite3_prepare_v2(db, "INSERT INTO skus(sku, name, created_at, updated_at) VALUES (?1, ?1, 0, 0)", -1, &sku, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO stock(sku, warehouse, on_hand) VALUES (?1, ?2, 1000)", -1, &stock, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, actor) VALUES (0, ?1, ?2, 'on_hand', ?3, 'receive', 'seed')",
                       -1, &ledger, NULL);
    char code[16], warehouse[4];
    for (int i = 0; i < skus; i++) {
        snprintf(code, sizeof code, "S%d", i);
        sqlite3_bind_text(sku, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_step(sku);
        sqlite3_reset(sku);
        for (int w = 0; w < 5; w++) {
            snprintf(warehouse, sizeof warehouse, "W%d", w);
            sqlite3_bind_text(stock, 1, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(stock, 2, warehouse, -1, SQLITE_TRANSIENT);
            sqlite3_step(stock);
            sqlite3_reset(stock);
            for (int r = 0; r < rows_per_balance; r++) {
                sqlite3_bind_text(ledger, 1, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(ledger, 2, warehouse, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(ledger, 3, 1000 / rows_per_balance + (r == 0 ? 1000 % rows_per_balance : 0));
                sqlite3_step(ledger);
                sqlite3_reset(ledger);
            }
        }
    }
    sqlite3_finalize(sku);
    sqlite3_finalize(stock);
    sqlite3_finalize(ledger);
    sql_exec(db, "COMMIT");
    sqlite3_close(db);
}



/* Median microseconds of a stock read, and of a reserve + release, on random SKUs. */
static void measure(const char *path, int skus, int reads, int orders, double *read_us, double *order_us) {
    oc_db *db = NULL;
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    double *t = malloc(sizeof(double) * (reads > orders ? reads : orders));
    char code[16], request[256], id[32];
    srand(7);
    for (int i = 0; i < reads; i++) {
        snprintf(code, sizeof code, "S%d", rand() % skus);
        int64_t n;
        double start = now();
        if (oc_stock_available(db, code, NULL, &n) != OC_OK || n != 5000) die("stock", oc_errmsg(db));
        t[i] = (now() - start) * 1e6;
    }
    *read_us = median(t, reads);
    for (int i = 0; i < orders; i++) {
        snprintf(code, sizeof code, "S%d", rand() % skus);
        snprintf(request, sizeof request, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"%s\",\"qty\":2,\"unit_price\":\"1.00\"}]}", code);
        char *response = NULL;
        double start = now();
        if (oc_exec(db, request, &response) != OC_OK) die("order.create", oc_errmsg(db));
        order_id_of(response, id);
        if (oc_order_cancel(db, id, NULL) != OC_OK) die("cancel", oc_errmsg(db));
        t[i] = (now() - start) * 1e6;
        oc_free(response);
    }
    *order_us = median(t, orders);
    free(t);
    oc_close(db);
}

int main(int argc, char **argv) {
    int reads = argc > 1 ? atoi(argv[1]) : 4000;
    int orders = argc > 2 ? atoi(argv[2]) : 1000;
    if (reads < 1 || orders < 1) die("usage", "scale [READS] [ORDERS]");
    struct { const char *name, *path; int skus, rows; double seed_s, read_us, order_us; } sizes[] = {
        {"small: 1,000 SKUs x 5 warehouses, 10,000 ledger rows", "bench-small.db", 1000, 2, 0, 0, 0},
        {"large: 100,000 SKUs x 5 warehouses, 1,000,000 ledger rows", "bench-large.db", 100000, 2, 0, 0, 0},
    };
    printf("scale: median of %d stock reads and %d reserve+release cycles, synchronous=NORMAL, OrderCore %s\n", reads, orders, oc_version());
    for (int s = 0; s < 2; s++) {
        double start = now();
        seed(sizes[s].path, sizes[s].skus, sizes[s].rows);
        sizes[s].seed_s = now() - start;
        measure(sizes[s].path, sizes[s].skus, reads, orders, &sizes[s].read_us, &sizes[s].order_us);
        printf("  %-60s (seeded in %.1f s): stock read %.1f us, reserve+release %.1f us\n", sizes[s].name, sizes[s].seed_s,
               sizes[s].read_us, sizes[s].order_us);
        remove_database(sizes[s].path);
    }
    printf("large / small: stock read %.2fx, reserve+release %.2fx (target: about 1x)\n",
           sizes[1].read_us / sizes[0].read_us, sizes[1].order_us / sizes[0].order_us);
    return 0;
}
