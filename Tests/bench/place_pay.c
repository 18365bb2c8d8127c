/*
 * Benchmark: a paid order of LINES lines through the C ABI, against the floor: a hand-written C program
 * doing the minimal SQLite writes for the same order, with cached prepared statements, WAL, on the same
 * disk, in the same run. Two ways:
 *   - place + pay: order.create, then oc_order_pay; the floor in two transactions (per line: reserve
 *     stock conditionally, insert the line, its reservation and a ledger row; insert the order and a
 *     timeline event; then insert the payment and update the order, the reservations and the timeline);
 *   - paid order: one order.create with its payment (nobody reads the response); the floor in one
 *     transaction (the order row written paid, per line the conditional decrement, the line, the firm
 *     reservation and the ledger row, the payment and a timeline event).
 *
 *   make bench           (or: place_pay [ORDERS_PER_ROUND] [ROUNDS] [LINES])
 *
 * Prints orders/second for each side per round, the medians, and the ratios (target: >= 0.50), for
 * synchronous=FULL (the default) and NORMAL.
 */
#include "floor.h"
#include <ordercore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>



/* ---- OrderCore through its C ABI ---- */

static double ordercore_round(const char *path, int orders, int lines, unsigned flags, int paid) {
    oc_db *db = NULL;
    unlink(path);
    if (oc_open_v2(path, &db, flags) != OC_OK) die("oc_open", oc_errmsg(db));
    seed_stock(db, lines);
    char create[4096];
    int n = snprintf(create, sizeof create, "{\"op\":\"order.create\",\"channel\":\"web\",\"currency\":\"CNY\",\"lines\":[");
    for (int l = 0; l < lines; l++)
        n += snprintf(create + n, sizeof create - n, "%s{\"sku\":\"SKU-%d\",\"qty\":1,\"unit_price\":\"19.90\"}", l ? "," : "", l);
    snprintf(create + n, sizeof create - n, paid ? "],\"payment\":{}}" : "]}");
    double start = now();
    for (int i = 0; i < orders; i++) {
        if (paid) {
            if (oc_exec(db, create, NULL) != OC_OK) die("order.create", oc_errmsg(db));
            continue;
        }
        char *response = NULL, id[32];
        if (oc_exec(db, create, &response) != OC_OK) die("order.create", oc_errmsg(db));
        order_id_of(response, id);
        oc_free(response);
        if (oc_order_pay(db, id, NULL, NULL) != OC_OK) die("oc_order_pay", oc_errmsg(db));
    }
    double rate = orders / (now() - start);
    oc_close(db);
    return rate;
}

/* ---- the floor: minimal hand-written SQLite ---- */

static double floor_round(const char *path, int orders, int lines, int normal, int one_transaction) {
    sqlite3 *db;
    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK) die("sqlite3_open", sqlite3_errmsg(db));
    sql_exec(db, "PRAGMA journal_mode=WAL");
    sql_exec(db, normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
    sql_exec(db,
        "CREATE TABLE stock(sku TEXT, warehouse TEXT, on_hand INTEGER, reserved INTEGER, PRIMARY KEY(sku, warehouse)) WITHOUT ROWID;"
        "CREATE TABLE orders(id INTEGER PRIMARY KEY, order_id TEXT UNIQUE, state TEXT, grand_total INTEGER, paid INTEGER, expires_at INTEGER);"
        "CREATE TABLE lines(order_rowid INTEGER, line_no INTEGER, sku TEXT, qty INTEGER, unit_price INTEGER, PRIMARY KEY(order_rowid, line_no)) WITHOUT ROWID;"
        "CREATE TABLE reservations(id INTEGER PRIMARY KEY, order_rowid INTEGER, sku TEXT, qty INTEGER, expires_at INTEGER);"
        "CREATE INDEX reservations_by_order ON reservations(order_rowid);"
        "CREATE TABLE ledger(id INTEGER PRIMARY KEY, sku TEXT, delta INTEGER, reason TEXT, ref TEXT);"
        "CREATE TABLE events(id INTEGER PRIMARY KEY, order_rowid INTEGER, to_state TEXT);"
        "CREATE TABLE payments(id INTEGER PRIMARY KEY, order_rowid INTEGER, amount INTEGER);"
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99) "
        "INSERT INTO stock SELECT 'SKU-' || i, 'SH', 1000000000, 0 FROM n;");
    sqlite3_stmt *begin = prepare(db, "BEGIN IMMEDIATE"), *commit = prepare(db, "COMMIT");
    sqlite3_stmt *reserve = prepare(db, "UPDATE stock SET reserved = reserved + 1 WHERE sku = ?1 AND warehouse = 'SH' AND on_hand - reserved >= 1");
    sqlite3_stmt *order = prepare(db, one_transaction ? "INSERT INTO orders(id, order_id, state, grand_total, paid, expires_at) VALUES (?1, ?2, 'paid', 1990, 1990, NULL)"
                                           : "INSERT INTO orders(id, order_id, state, grand_total, paid, expires_at) VALUES (?1, ?2, 'pending_payment', 1990, 0, 900000)");
    sqlite3_stmt *line = prepare(db, "INSERT INTO lines VALUES (?1, ?2, ?3, 1, 1990)");
    sqlite3_stmt *hold = prepare(db, one_transaction ? "INSERT INTO reservations(order_rowid, sku, qty, expires_at) VALUES (?1, ?2, 1, NULL)"
                                          : "INSERT INTO reservations(order_rowid, sku, qty, expires_at) VALUES (?1, ?2, 1, 900000)");
    sqlite3_stmt *ledger = prepare(db, "INSERT INTO ledger(sku, delta, reason, ref) VALUES (?2, 1, 'reserve', ?1)");
    sqlite3_stmt *event = prepare(db, "INSERT INTO events(order_rowid, to_state) VALUES (?1, ?2)");
    sqlite3_stmt *pay = prepare(db, "INSERT INTO payments(order_rowid, amount) VALUES (?1, 1990)");
    sqlite3_stmt *paid = prepare(db, "UPDATE orders SET state = 'paid', paid = 1990, expires_at = NULL WHERE id = ?1 AND state = 'pending_payment'");
    sqlite3_stmt *firm = prepare(db, "UPDATE reservations SET expires_at = NULL WHERE order_rowid = ?1");
    double start = now();
    for (int i = 1; i <= orders; i++) {
        char id[32];
        snprintf(id, sizeof id, "SO-%06d", i);
        step(begin);
        sqlite3_bind_int(order, 1, i); sqlite3_bind_text(order, 2, id, -1, SQLITE_STATIC); step(order);
        for (int l = 0; l < lines; l++) {
            char sku[16];
            snprintf(sku, sizeof sku, "SKU-%d", l);
            sqlite3_bind_text(reserve, 1, sku, -1, SQLITE_TRANSIENT); step(reserve);
            if (sqlite3_changes(db) != 1) die("reserve", "no stock");
            sqlite3_bind_int(line, 1, i); sqlite3_bind_int(line, 2, l + 1); sqlite3_bind_text(line, 3, sku, -1, SQLITE_TRANSIENT); step(line);
            sqlite3_bind_int(hold, 1, i); sqlite3_bind_text(hold, 2, sku, -1, SQLITE_TRANSIENT); step(hold);
            sqlite3_bind_text(ledger, 1, id, -1, SQLITE_STATIC); sqlite3_bind_text(ledger, 2, sku, -1, SQLITE_TRANSIENT); step(ledger);
        }
        if (one_transaction) {
            sqlite3_bind_int(pay, 1, i); step(pay);
            sqlite3_bind_int(event, 1, i); sqlite3_bind_text(event, 2, "paid", -1, SQLITE_STATIC); step(event);
            step(commit);
            continue;
        }
        sqlite3_bind_int(event, 1, i); sqlite3_bind_text(event, 2, "pending_payment", -1, SQLITE_STATIC); step(event);
        step(commit);
        step(begin);
        sqlite3_bind_int(pay, 1, i); step(pay);
        sqlite3_bind_int(paid, 1, i); step(paid);
        sqlite3_bind_int(firm, 1, i); step(firm);
        sqlite3_bind_int(event, 1, i); sqlite3_bind_text(event, 2, "paid", -1, SQLITE_STATIC); step(event);
        step(commit);
    }
    double rate = orders / (now() - start);
    sqlite3_stmt *all[] = {begin, commit, reserve, order, line, hold, ledger, event, pay, paid, firm};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
    sqlite3_close(db);
    return rate;
}



int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 300;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    int lines = argc > 3 ? atoi(argv[3]) : 3;
    if (orders < 1 || rounds < 1 || rounds > 50 || lines < 1 || lines > 100) die("usage", "place_pay [ORDERS_PER_ROUND] [ROUNDS<=50] [LINES<=100]");
    printf("place + pay of a %d-line order, %d orders per round, %d rounds, OrderCore %s, SQLite %s\n", lines, orders, rounds, oc_version(),
           sqlite3_libversion());
    const char *names[] = {"FULL", "NORMAL"}, *ways[] = {"place + pay", "paid order "};
    for (int mode = 0; mode < 2; mode++) {
        for (int paid = 0; paid < 2; paid++) {
            double ours[50], floor_[50], ratio[50];
            for (int r = 0; r < rounds; r++) {  /* interleaved, so machine noise hits both sides alike */
                ours[r] = ordercore_round("bench-ordercore.db", orders, lines, mode ? OC_OPEN_SYNCHRONOUS_NORMAL : 0, paid);
                floor_[r] = floor_round("bench-floor.db", orders, lines, mode, paid);
                ratio[r] = ours[r] / floor_[r];
                printf("  synchronous=%-6s %s round %d: OrderCore %8.0f orders/s, floor %8.0f orders/s, ratio %.2f\n",
                       names[mode], ways[paid], r + 1, ours[r], floor_[r], ratio[r]);
            }
            printf("synchronous=%-6s %s median: OrderCore %.0f orders/s, floor %.0f orders/s, median ratio %.2f (target >= 0.50)\n",
                   names[mode], ways[paid], median(ours, rounds), median(floor_, rounds), median(ratio, rounds));
        }
    }
    remove_database("bench-ordercore.db");
    remove_database("bench-floor.db");
    return 0;
}
