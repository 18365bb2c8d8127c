/*
 * Benchmark: a paid 3-line order through the C ABI on a shared PostgreSQL database (postgresql://, on a
 * Unix socket), with 1 and with 8 client threads (each its own handle) -- in one command (oc_order_create,
 * arriving paid) and as a checkout's two (order.create, then oc_order_pay) -- against the floor: a hand-written
 * libpq program doing the same writes for each order in one transaction sent in one round trip (order
 * row, per line a conditional stock decrement, the line and a ledger row, the payment, COMMIT), with as
 * many connections, in the same run on the same server.
 *
 *   make bench     (runs it through Tests/sql/with_postgresql.py, which starts a throwaway server)
 *   postgresql [ORDERS_PER_CLIENT] [ROUNDS]       (ORDERCORE_TEST_POSTGRESQL: server URI with {db})
 *
 * Prints orders/second per side per round, the medians and the ratios OrderCore / floor (issue 18's
 * target: >= 0.5 with 8 clients).
 *
 * Then checkouts beside the warehouse floor: 4 clients placing paid orders alone, then while 2 warehouse
 * clients allocate, pick, pack and ship earlier orders of the same SKUs (each command its own transaction),
 * alternating round by round: the checkouts' orders/second either way and the orders shipped per second.
 */
#include "pgbench.h"
#include <ordercore.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char uri[1024];

struct client { int orders, id; };

/* ---- OrderCore through its C ABI ---- */

static const char *create_request =
    "{\"op\":\"order.create\",\"channel\":\"web\",\"currency\":\"CNY\",\"lines\":["
    "{\"sku\":\"SKU-0\",\"qty\":1,\"unit_price\":\"19.90\"},{\"sku\":\"SKU-1\",\"qty\":1,\"unit_price\":\"19.90\"},"
    "{\"sku\":\"SKU-2\",\"qty\":1,\"unit_price\":\"19.90\"}]}";

/* The paid order in one command: it arrives paid (oc_order_create with OC_ORDER_PAID, no JSON). */
static void *ordercore_paid(void *arg) {
    struct client *c = arg;
    oc_db *db = NULL;
    const char *skus[] = {"SKU-0", "SKU-1", "SKU-2"}, *prices[] = {"19.90", "19.90", "19.90"};
    int64_t qtys[] = {1, 1, 1};
    if (oc_open(uri, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    for (int i = 0; i < c->orders; i++) {
        if (oc_order_create(db, "web", NULL, 3, skus, qtys, prices, NULL, OC_ORDER_PAID, NULL) != OC_OK)
            die("oc_order_create", oc_errmsg(db));
    }
    oc_close(db);
    return NULL;
}

/* The checkout's two steps: order.create (its id read from the response), then oc_order_pay. */
static void *ordercore_create_pay(void *arg) {
    struct client *c = arg;
    oc_db *db = NULL;
    if (oc_open(uri, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    for (int i = 0; i < c->orders; i++) {
        char *response = NULL, id[32];
        if (oc_exec(db, create_request, &response) != OC_OK) die("order.create", oc_errmsg(db));
        order_id_of(response, id);
        oc_free(response);
        if (oc_order_pay(db, id, NULL, NULL) != OC_OK) die("oc_order_pay", oc_errmsg(db));
    }
    oc_close(db);
    return NULL;
}

static void ordercore_setup(void) {
    oc_db *db = NULL;
    if (oc_open(uri, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    seed_stock(db, 3);
    oc_close(db);
}

/* ---- the floor: the same writes by hand, one round trip per order ---- */

static void floor_setup(void) {
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) die("connect", PQerrorMessage(c));
    pg_exec_or_die(c,
                "CREATE SCHEMA IF NOT EXISTS floor;"
                "CREATE TABLE floor.stock(sku TEXT, warehouse TEXT, on_hand BIGINT, reserved BIGINT,"
                "  PRIMARY KEY (sku, warehouse));"
                "CREATE TABLE floor.orders(id BIGSERIAL PRIMARY KEY, channel TEXT, state TEXT, grand_total BIGINT,"
                "  paid_total BIGINT, created_at BIGINT);"
                "CREATE TABLE floor.lines(order_id BIGINT, line_no INT, sku TEXT, qty BIGINT, unit_price BIGINT,"
                "  PRIMARY KEY (order_id, line_no));"
                "CREATE TABLE floor.ledger(id BIGSERIAL PRIMARY KEY, sku TEXT, warehouse TEXT, delta BIGINT,"
                "  reason TEXT, ref_id BIGINT);"
                "CREATE TABLE floor.payments(id BIGSERIAL PRIMARY KEY, order_id BIGINT, amount BIGINT);"
                "INSERT INTO floor.stock VALUES ('SKU-0','SH',1000000000,0),('SKU-1','SH',1000000000,0),"
                "  ('SKU-2','SH',1000000000,0);");
    PQfinish(c);
}

static void *floor_client(void *arg) {
    struct client *cl = arg;
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) die("connect", PQerrorMessage(c));
    char sql[4096];
    for (int i = 0; i < cl->orders; i++) {
        int n = snprintf(sql, sizeof sql,
                         "BEGIN; WITH o AS (INSERT INTO floor.orders(channel, state, grand_total, paid_total, created_at)"
                         " VALUES ('web', 'paid', 5970, 5970, 0) RETURNING id)");
        for (int l = 0; l < 3; l++) {
            n += snprintf(sql + n, sizeof sql - n,
                          ", s%d AS (UPDATE floor.stock SET reserved = reserved + 1 WHERE sku = 'SKU-%d'"
                          " AND warehouse = 'SH' AND on_hand - reserved >= 1 RETURNING sku)"
                          ", l%d AS (INSERT INTO floor.lines SELECT id, %d, 'SKU-%d', 1, 1990 FROM o)"
                          ", g%d AS (INSERT INTO floor.ledger(sku, warehouse, delta, reason, ref_id)"
                          " SELECT 'SKU-%d', 'SH', 1, 'reserve', id FROM o)",
                          l, l, l, l + 1, l, l, l);
        }
        snprintf(sql + n, sizeof sql - n, " INSERT INTO floor.payments(order_id, amount) SELECT id, 5970 FROM o; COMMIT");
        pg_exec_or_die(c, sql);
    }
    PQfinish(c);
    return NULL;
}

/* Orders per second of `clients` threads running `client` for `orders` orders each. */
static double run(void *(*client)(void *), int clients, int orders) {
    pthread_t threads[8];
    struct client args[8];
    double start = now();
    for (int t = 0; t < clients; t++) {
        args[t] = (struct client){orders, t};
        pthread_create(&threads[t], NULL, client, &args[t]);
    }
    for (int t = 0; t < clients; t++) pthread_join(threads[t], NULL);
    return clients * orders / (now() - start);
}

/* ---- the warehouse floor beside checkouts ---- */

#define WAREHOUSE_CLIENTS 2
#define CHECKOUT_CLIENTS 4

static char (*to_ship)[WAREHOUSE_CLIENTS][32];  /* per warehouse client, the paid orders it ships */
static int to_ship_count;
static volatile int checkouts_running;
static int shipped[WAREHOUSE_CLIENTS];

/* Paid orders for the warehouse clients to ship, `count` each. */
static void warehouse_setup(int count) {
    oc_db *db = NULL;
    if (oc_open(uri, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    to_ship = realloc(to_ship, sizeof *to_ship * count);
    for (int i = 0; i < count; i++)
        for (int w = 0; w < WAREHOUSE_CLIENTS; w++) {
            char *response = NULL;
            const char *request = "{\"op\":\"order.create\",\"channel\":\"web\",\"currency\":\"CNY\",\"payment\":{},"
                "\"lines\":[{\"sku\":\"SKU-0\",\"qty\":1,\"unit_price\":\"19.90\"},"
                "{\"sku\":\"SKU-1\",\"qty\":1,\"unit_price\":\"19.90\"},{\"sku\":\"SKU-2\",\"qty\":1,\"unit_price\":\"19.90\"}]}";
            if (oc_exec(db, request, &response) != OC_OK) die("order.create", oc_errmsg(db));
            order_id_of(response, to_ship[i][w]);
            oc_free(response);
        }
    to_ship_count = count;
    oc_close(db);
}

/* A warehouse client: allocates, picks, packs and ships its orders while the checkouts run. */
static void *warehouse_client(void *arg) {
    struct client *c = arg;
    oc_db *db = NULL;
    if (oc_open(uri, &db) != OC_OK) die("oc_open", oc_errmsg(db));
    static const char *steps[] = {
        "{\"op\":\"order.allocate\",\"order_id\":\"%s\"}",
        "{\"op\":\"order.pick\",\"order_id\":\"%s\"}",
        "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"weight_g\":300,\"scans\":[\"%s\",\"SKU-0\",\"SKU-1\",\"SKU-2\"]}",
        "{\"op\":\"order.ship\",\"order_id\":\"%s\",\"carrier\":\"SF\",\"tracking_no\":\"T-%s\"}",
    };
    shipped[c->id] = 0;
    for (int i = 0; i < to_ship_count && checkouts_running; i++) {
        const char *id = to_ship[i][c->id];
        for (int s = 0; s < 4; s++) {
            char request[512];
            snprintf(request, sizeof request, steps[s], id, id);
            if (oc_exec(db, request, NULL) != OC_OK) die(request, oc_errmsg(db));
        }
        shipped[c->id]++;
    }
    oc_close(db);
    return NULL;
}

/* The checkouts' orders per second, with the warehouse clients running beside them or not; `ships`: the
 * orders the warehouse shipped per second meanwhile. */
static double checkouts(int orders, int with_warehouse, double *ships) {
    pthread_t threads[WAREHOUSE_CLIENTS];
    struct client args[WAREHOUSE_CLIENTS];
    checkouts_running = 1;
    if (with_warehouse) {
        warehouse_setup(orders);
        for (int w = 0; w < WAREHOUSE_CLIENTS; w++) {
            args[w] = (struct client){0, w};
            pthread_create(&threads[w], NULL, warehouse_client, &args[w]);
        }
    }
    double start = now();
    double rate = run(ordercore_paid, CHECKOUT_CLIENTS, orders);
    double elapsed = now() - start;
    checkouts_running = 0;
    *ships = 0;
    if (with_warehouse) {
        for (int w = 0; w < WAREHOUSE_CLIENTS; w++) {
            pthread_join(threads[w], NULL);
            *ships += shipped[w];
        }
        *ships /= elapsed;
    }
    return rate;
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 200;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    const char *template = getenv("ORDERCORE_TEST_POSTGRESQL");
    if (!template) die("ORDERCORE_TEST_POSTGRESQL", "not set (make bench starts a server and sets it)");
    if (orders < 1 || rounds < 1) die("usage", "postgresql [ORDERS_PER_CLIENT] [ROUNDS]");
    printf("postgresql: paid 3-line orders, %d per client per round, %d rounds, OrderCore %s, PostgreSQL %d\n",
           orders, rounds, oc_version(), PQlibVersion());
    pg_database(template, "bench_pg", uri, sizeof uri);
    ordercore_setup();
    floor_setup();
    int sizes[] = {1, 8};
    for (int s = 0; s < 2; s++) {
        double paid[16], twoStep[16], floors[16];
        for (int r = 0; r < rounds; r++) {  /* interleaved round by round */
            paid[r] = run(ordercore_paid, sizes[s], orders);
            twoStep[r] = run(ordercore_create_pay, sizes[s], orders);
            floors[r] = run(floor_client, sizes[s], orders);
            printf("  %d client%s round %d: OrderCore paid order %6.0f/s, create+pay %6.0f/s, floor %6.0f/s\n",
                   sizes[s], sizes[s] > 1 ? "s" : " ", r + 1, paid[r], twoStep[r], floors[r]);
        }
        double p = median(paid, rounds), t = median(twoStep, rounds), f = median(floors, rounds);
        printf("  %d client%s median: OrderCore paid order %6.0f/s (ratio %.2f), create+pay %6.0f/s (ratio %.2f), "
               "floor %6.0f/s\n", sizes[s], sizes[s] > 1 ? "s" : " ", p, p / f, t, t / f, f);
    }
    printf("checkouts beside the warehouse floor: %d clients placing paid orders, %d per client per round; "
           "%d warehouse clients allocating, picking, packing and shipping\n", CHECKOUT_CLIENTS, orders,
           WAREHOUSE_CLIENTS);
    double alone[16], beside[16], ships[16], none;
    for (int r = 0; r < rounds; r++) {
        alone[r] = checkouts(orders, 0, &none);
        beside[r] = checkouts(orders, 1, &ships[r]);
        printf("  round %d: checkouts alone %6.0f/s, beside the warehouse %6.0f/s (ratio %.2f), shipped %5.0f/s\n",
               r + 1, alone[r], beside[r], beside[r] / alone[r], ships[r]);
    }
    double a = median(alone, rounds), b = median(beside, rounds);
    printf("  median: checkouts alone %6.0f/s, beside the warehouse %6.0f/s (ratio %.2f), shipped %5.0f/s\n", a, b,
           b / a, median(ships, rounds));
    return 0;
}
