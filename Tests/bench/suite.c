/*
 * The benchmark suite against the SQLite floor (docs/benchmarks.md, section 8). For synchronous FULL and
 * NORMAL, in interleaved rounds, each scenario runs through OrderCore's C ABI and through a plain C
 * program doing the minimal SQLite writes for the same orders (the floor), each in its own forked process
 * so its peak memory (ru_maxrss) is its own:
 *
 *   create+pay  create and pay a 2-line order (place_pay.c has the round-by-round detail)
 *   lifecycle   create, pay, allocate, pack, ship, deliver a 2-line order
 *   returns     a return of one unit of a shipped order: request, receive, refund
 *   bulk intake 5-line CSV channel events, 500 per oc_exec_batch, against the same rows inserted in
 *               transactions of 500 orders (intake.c has single events and a 5 MB payload too)
 *   hot SKU     8 threads, each with its own handle, race to sell the last 2,000 units of one SKU
 *
 * Printed per scenario and mode: OrderCore and floor rates (median of the rounds), the median ratio, and
 * both peak memories. The growth from 10,000 to 1,000,000 orders is lifecycle.c, scale.c and reports.c
 * (all run by make bench).
 *
 *   suite [ORDERS] [ROUNDS]      (default 150 3)
 */
#include "floor.h"
#include <ordercore.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define LINES 2
#define HOT_UNITS 2000
#define HOT_THREADS 8

#define BULK_LINES 5
#define BULK_BATCH 500

enum scenario { CREATE_PAY, LIFECYCLE, RETURNS, BULK, HOT, SCENARIOS };
static const char *scenario_names[] = {"create + pay", "lifecycle (6 steps)", "returns (3 steps)", "bulk intake", "hot SKU, 8 threads"};
static const char *units[] = {"orders/s", "orders/s", "returns/s", "lines/s", "units/s"};
static int orders = 150;

/* ---- OrderCore ---- */

static oc_db *oc_shop(const char *path, unsigned flags) {
    oc_db *db = NULL;
    remove_database(path);
    if (oc_open_v2(path, &db, flags) != OC_OK) die("oc_open", oc_errmsg(db));
    oc_exec(db, "{\"op\":\"config.set\",\"key\":\"returns.auto_approve_below\",\"value\":1000}", NULL);
    oc_exec(db, "{\"op\":\"channel.upsert\",\"channel\":\"shop\",\"profile\":\"csv\"}", NULL);
    seed_stock(db, LINES);
    return db;
}

static void oc_ok(oc_db *db, const char *request, char *id_out) {
    char *response = NULL;
    if (oc_exec(db, request, &response) != OC_OK) die(request, response ? response : oc_errmsg(db));
    if (id_out) {
        const char *key = strstr(response, "\"return_id\":\"") ? "\"return_id\":\"" : "\"order_id\":\"";
        const char *p = strstr(response, key) + strlen(key);
        size_t n = strcspn(p, "\"");
        memcpy(id_out, p, n);
        id_out[n] = '\0';
    }
    oc_free(response);
}

static void oc_create_pay(oc_db *db, char *id) {
    oc_ok(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"SKU-0\",\"qty\":1,\"unit_price\":\"19.90\"},"
              "{\"sku\":\"SKU-1\",\"qty\":1,\"unit_price\":\"9.90\"}]}", id);
    if (oc_order_pay(db, id, NULL, NULL) != OC_OK) die("pay", oc_errmsg(db));
}

/* Runs an order through every step to delivered; returns its id. */
static void oc_lifecycle(oc_db *db, int i, char *id) {
    char request[512];
    oc_create_pay(db, id);
    if (oc_order_allocate(db, id, NULL) != OC_OK) die("allocate", oc_errmsg(db));
    snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[\"%s\",\"SKU-0\",\"SKU-1\"],\"weight_g\":0}", id, id);
    oc_ok(db, request, NULL);
    char tracking[32];
    snprintf(tracking, sizeof tracking, "T%d", i);
    if (oc_order_ship(db, id, "SF", tracking) != OC_OK) die("ship", oc_errmsg(db));
    if (oc_order_deliver(db, id, NULL) != OC_OK) die("deliver", oc_errmsg(db));
}

static double oc_run(enum scenario s, unsigned flags) {
    oc_db *db = oc_shop("bench-suite-oc.db", flags);
    char id[32], request[512], rid[32];
    double rate;
    if (s == CREATE_PAY || s == LIFECYCLE) {
        double start = now();
        for (int i = 0; i < orders; i++) {
            if (s == CREATE_PAY) oc_create_pay(db, id); else oc_lifecycle(db, i, id);
        }
        rate = orders / (now() - start);
    } else if (s == BULK) {
        int events = orders * 10;
        char *batch = malloc((size_t)BULK_BATCH * 512 + 16);
        double start = now();
        for (int first = 0; first < events; first += BULK_BATCH) {
            size_t n = 0;
            batch[n++] = '[';
            for (int e = first; e < first + BULK_BATCH && e < events; e++) {
                if (e > first) batch[n++] = ',';
                n += sprintf(batch + n, "{\"op\":\"intake.ingest\",\"channel\":\"shop\",\"payload\":\"order_id,status,sku,qty,unit_price");
                for (int l = 0; l < BULK_LINES; l++) n += sprintf(batch + n, "\\nB-%d,paid,SKU-%d,1,9.90", e, l % LINES);
                n += sprintf(batch + n, "\"}");
            }
            batch[n++] = ']';
            batch[n] = '\0';
            char *response = NULL;
            if (oc_exec_batch(db, batch, OC_BATCH_EACH, &response) != OC_OK || strstr(response, "dead_letter")) die("bulk intake", response);
            oc_free(response);
        }
        rate = (double)events * BULK_LINES / (now() - start);
        free(batch);
    } else if (s == RETURNS) {
        char (*ids)[32] = malloc(sizeof *ids * orders);
        for (int i = 0; i < orders; i++) oc_lifecycle(db, i, ids[i]);
        double start = now();
        for (int i = 0; i < orders; i++) {
            snprintf(request, sizeof request, "{\"op\":\"return.request\",\"order_id\":\"%s\",\"lines\":[{\"sku\":\"SKU-0\",\"qty\":1}],"
                     "\"reason\":\"changed_mind\"}", ids[i]);
            oc_ok(db, request, rid);
            snprintf(request, sizeof request, "{\"op\":\"return.receive\",\"return_id\":\"%s\",\"warehouse\":\"SH\",\"lines\":[{\"sku\":\"SKU-0\",\"qty\":1}],"
                     "\"grade\":\"resellable\"}", rid);
            oc_ok(db, request, NULL);
            snprintf(request, sizeof request, "{\"op\":\"return.refund\",\"return_id\":\"%s\",\"refund_ref\":\"R%d\"}", rid, i);
            oc_ok(db, request, NULL);
        }
        rate = orders / (now() - start);
        free(ids);
    } else {
        rate = 0;   /* the hot SKU has its own runner */
    }
    oc_close(db);
    return rate;
}

/* ---- the floor: minimal hand-written SQLite, the same rows in the same transactions ---- */

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *reserve, *order, *line, *hold, *ledger, *event, *pay, *paid, *firm, *state, *parcel,
        *packed, *take, *consume, *shipment, *delivered, *ret, *ret_line, *received, *restock, *refund, *refunded;
} floor_db;

static void floor_open(floor_db *f, const char *path, int normal, int create) {
    if (create) remove_database(path);
    if (sqlite3_open(path, &f->db) != SQLITE_OK) die("sqlite3_open", sqlite3_errmsg(f->db));
    sqlite3_busy_timeout(f->db, 10000);
    sql_exec(f->db, "PRAGMA journal_mode=WAL");
    sql_exec(f->db, normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
    if (create) sql_exec(f->db,
        "CREATE TABLE stock(sku TEXT, warehouse TEXT, on_hand INTEGER, reserved INTEGER, PRIMARY KEY(sku, warehouse)) WITHOUT ROWID;"
        "CREATE TABLE orders(id INTEGER PRIMARY KEY, order_id TEXT UNIQUE, state TEXT, grand_total INTEGER, paid INTEGER, refunded INTEGER DEFAULT 0);"
        "CREATE TABLE lines(order_rowid INTEGER, line_no INTEGER, sku TEXT, qty INTEGER, unit_price INTEGER, packed INTEGER DEFAULT 0,"
        " shipped INTEGER DEFAULT 0, PRIMARY KEY(order_rowid, line_no)) WITHOUT ROWID;"
        "CREATE TABLE reservations(id INTEGER PRIMARY KEY, order_rowid INTEGER, sku TEXT, qty INTEGER, state TEXT);"
        "CREATE INDEX reservations_by_order ON reservations(order_rowid);"
        "CREATE TABLE ledger(id INTEGER PRIMARY KEY, sku TEXT, bucket TEXT, delta INTEGER, reason TEXT, ref TEXT);"
        "CREATE TABLE events(id INTEGER PRIMARY KEY, order_rowid INTEGER, to_state TEXT);"
        "CREATE TABLE payments(id INTEGER PRIMARY KEY, order_rowid INTEGER, amount INTEGER);"
        "CREATE TABLE parcels(id INTEGER PRIMARY KEY, order_rowid INTEGER);"
        "CREATE TABLE shipments(id INTEGER PRIMARY KEY, order_rowid INTEGER, tracking_no TEXT, state TEXT);"
        "CREATE TABLE returns(id INTEGER PRIMARY KEY, order_rowid INTEGER, state TEXT);"
        "CREATE TABLE return_lines(return_rowid INTEGER, sku TEXT, qty INTEGER, received INTEGER DEFAULT 0);"
        "INSERT INTO stock VALUES ('SKU-0', 'SH', 1000000000, 0), ('SKU-1', 'SH', 1000000000, 0), ('HOT', 'SH', 2000, 0);");
    f->begin = prepare(f->db, "BEGIN IMMEDIATE");
    f->commit = prepare(f->db, "COMMIT");
    f->reserve = prepare(f->db, "UPDATE stock SET reserved = reserved + 1 WHERE sku = ?1 AND warehouse = 'SH' AND on_hand - reserved >= 1");
    f->order = prepare(f->db, "INSERT INTO orders(id, order_id, state, grand_total, paid) VALUES (?1, ?2, 'pending_payment', 2980, 0)");
    f->line = prepare(f->db, "INSERT INTO lines(order_rowid, line_no, sku, qty, unit_price) VALUES (?1, ?2, ?3, 1, 1490)");
    f->hold = prepare(f->db, "INSERT INTO reservations(order_rowid, sku, qty, state) VALUES (?1, ?2, 1, 'active')");
    f->ledger = prepare(f->db, "INSERT INTO ledger(sku, bucket, delta, reason, ref) VALUES (?1, ?2, ?3, ?4, ?5)");
    f->event = prepare(f->db, "INSERT INTO events(order_rowid, to_state) VALUES (?1, ?2)");
    f->pay = prepare(f->db, "INSERT INTO payments(order_rowid, amount) VALUES (?1, ?2)");
    f->paid = prepare(f->db, "UPDATE orders SET state = 'paid', paid = 2980 WHERE id = ?1 AND state = 'pending_payment'");
    f->firm = prepare(f->db, "UPDATE reservations SET state = 'firm' WHERE order_rowid = ?1");
    f->state = prepare(f->db, "UPDATE orders SET state = ?2 WHERE id = ?1");
    f->parcel = prepare(f->db, "INSERT INTO parcels(order_rowid) VALUES (?1)");
    f->packed = prepare(f->db, "UPDATE lines SET packed = qty WHERE order_rowid = ?1");
    f->take = prepare(f->db, "UPDATE stock SET on_hand = on_hand - 1, reserved = reserved - 1 WHERE sku = ?1 AND warehouse = 'SH'");
    f->consume = prepare(f->db, "UPDATE reservations SET state = 'consumed' WHERE order_rowid = ?1");
    f->shipment = prepare(f->db, "INSERT INTO shipments(order_rowid, tracking_no, state) VALUES (?1, ?2, 'shipped')");
    f->delivered = prepare(f->db, "UPDATE shipments SET state = 'delivered' WHERE order_rowid = ?1");
    f->ret = prepare(f->db, "INSERT INTO returns(id, order_rowid, state) VALUES (?1, ?1, 'approved')");
    f->ret_line = prepare(f->db, "INSERT INTO return_lines(return_rowid, sku, qty) VALUES (?1, 'SKU-0', 1)");
    f->received = prepare(f->db, "UPDATE return_lines SET received = 1 WHERE return_rowid = ?1");
    f->restock = prepare(f->db, "UPDATE stock SET on_hand = on_hand + 1 WHERE sku = 'SKU-0' AND warehouse = 'SH'");
    f->refund = prepare(f->db, "UPDATE returns SET state = ?2 WHERE id = ?1");
    f->refunded = prepare(f->db, "UPDATE orders SET refunded = refunded + 1490 WHERE id = ?1");
}

static void floor_close(floor_db *f) {
    sqlite3_stmt *all[] = {f->begin, f->commit, f->reserve, f->order, f->line, f->hold, f->ledger, f->event, f->pay, f->paid, f->firm,
                           f->state, f->parcel, f->packed, f->take, f->consume, f->shipment, f->delivered, f->ret, f->ret_line,
                           f->received, f->restock, f->refund, f->refunded};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
    sqlite3_close(f->db);
}

static void ledger(floor_db *f, const char *sku, const char *bucket, int delta, const char *reason, const char *ref) {
    sqlite3_bind_text(f->ledger, 1, sku, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(f->ledger, 2, bucket, -1, SQLITE_STATIC);
    sqlite3_bind_int(f->ledger, 3, delta);
    sqlite3_bind_text(f->ledger, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(f->ledger, 5, ref, -1, SQLITE_TRANSIENT);
    step(f->ledger);
}

static void event(floor_db *f, int i, const char *to) {
    sqlite3_bind_int(f->event, 1, i);
    sqlite3_bind_text(f->event, 2, to, -1, SQLITE_STATIC);
    step(f->event);
}

static void move(floor_db *f, int i, const char *to) {
    sqlite3_bind_int(f->state, 1, i);
    sqlite3_bind_text(f->state, 2, to, -1, SQLITE_STATIC);
    step(f->state);
    event(f, i, to);
}

/* An order of `lines` lines (SKU-0, SKU-1, ...) with its reservations and ledger rows, in the caller's transaction. */
static void floor_order(floor_db *f, int i, int lines) {
    char id[32], sku[16];
    snprintf(id, sizeof id, "SO-%06d", i);
    sqlite3_bind_int(f->order, 1, i); sqlite3_bind_text(f->order, 2, id, -1, SQLITE_TRANSIENT); step(f->order);
    for (int l = 0; l < lines; l++) {
        snprintf(sku, sizeof sku, "SKU-%d", l % LINES);
        sqlite3_bind_text(f->reserve, 1, sku, -1, SQLITE_TRANSIENT); step(f->reserve);
        if (sqlite3_changes(f->db) != 1) die("reserve", "no stock");
        sqlite3_bind_int(f->line, 1, i); sqlite3_bind_int(f->line, 2, l + 1); sqlite3_bind_text(f->line, 3, sku, -1, SQLITE_TRANSIENT); step(f->line);
        sqlite3_bind_int(f->hold, 1, i); sqlite3_bind_text(f->hold, 2, sku, -1, SQLITE_TRANSIENT); step(f->hold);
        ledger(f, sku, "reserved", 1, "reserve", id);
    }
    event(f, i, "pending_payment");
}

/* The two transactions of create + pay. */
static void floor_create_pay(floor_db *f, int i) {
    step(f->begin);
    floor_order(f, i, LINES);
    step(f->commit);
    step(f->begin);
    sqlite3_bind_int(f->pay, 1, i); sqlite3_bind_int(f->pay, 2, 2980); step(f->pay);
    sqlite3_bind_int(f->paid, 1, i); step(f->paid);
    sqlite3_bind_int(f->firm, 1, i); step(f->firm);
    event(f, i, "paid");
    step(f->commit);
}

/* The same six transactions OrderCore commits for one order. */
static void floor_lifecycle(floor_db *f, int i) {
    char id[32], sku[16];
    snprintf(id, sizeof id, "SO-%06d", i);
    floor_create_pay(f, i);
    step(f->begin); move(f, i, "allocated"); step(f->commit);
    step(f->begin);
    sqlite3_bind_int(f->parcel, 1, i); step(f->parcel);
    sqlite3_bind_int(f->packed, 1, i); step(f->packed);
    move(f, i, "packed");
    step(f->commit);
    step(f->begin);
    for (int l = 0; l < LINES; l++) {
        snprintf(sku, sizeof sku, "SKU-%d", l);
        sqlite3_bind_text(f->take, 1, sku, -1, SQLITE_TRANSIENT); step(f->take);
        ledger(f, sku, "on_hand", -1, "ship", id);
        ledger(f, sku, "reserved", -1, "ship", id);
    }
    sqlite3_bind_int(f->consume, 1, i); step(f->consume);
    sqlite3_bind_int(f->shipment, 1, i); sqlite3_bind_text(f->shipment, 2, id, -1, SQLITE_TRANSIENT); step(f->shipment);
    move(f, i, "shipped");
    step(f->commit);
    step(f->begin);
    sqlite3_bind_int(f->delivered, 1, i); step(f->delivered);
    move(f, i, "delivered");
    step(f->commit);
}

static double floor_run(enum scenario s, int normal) {
    floor_db f;
    floor_open(&f, "bench-suite-floor.db", normal, 1);
    double rate;
    if (s == CREATE_PAY || s == LIFECYCLE) {
        double start = now();
        for (int i = 1; i <= orders; i++) {
            if (s == CREATE_PAY) floor_create_pay(&f, i); else floor_lifecycle(&f, i);
        }
        rate = orders / (now() - start);
    } else if (s == BULK) {
        int events = orders * 10;
        double start = now();
        for (int first = 1; first <= events; first += BULK_BATCH) {
            step(f.begin);
            for (int i = first; i < first + BULK_BATCH && i <= events; i++) floor_order(&f, i, BULK_LINES);
            step(f.commit);
        }
        rate = (double)events * BULK_LINES / (now() - start);
    } else {
        for (int i = 1; i <= orders; i++) floor_lifecycle(&f, i);
        double start = now();
        for (int i = 1; i <= orders; i++) {   /* request, receive, refund: three transactions */
            char id[32];
            snprintf(id, sizeof id, "RMA-%d", i);
            step(f.begin);
            sqlite3_bind_int(f.ret, 1, i); step(f.ret);
            sqlite3_bind_int(f.ret_line, 1, i); step(f.ret_line);
            step(f.commit);
            step(f.begin);
            sqlite3_bind_int(f.received, 1, i); step(f.received);
            step(f.restock);
            ledger(&f, "SKU-0", "on_hand", 1, "return", id);
            sqlite3_bind_int(f.refund, 1, i); sqlite3_bind_text(f.refund, 2, "received", -1, SQLITE_STATIC); step(f.refund);
            step(f.commit);
            step(f.begin);
            sqlite3_bind_int(f.pay, 1, i); sqlite3_bind_int(f.pay, 2, -1490); step(f.pay);
            sqlite3_bind_int(f.refunded, 1, i); step(f.refunded);
            sqlite3_bind_int(f.refund, 1, i); sqlite3_bind_text(f.refund, 2, "refunded", -1, SQLITE_STATIC); step(f.refund);
            step(f.commit);
        }
        rate = orders / (now() - start);
    }
    floor_close(&f);
    return rate;
}

/* ---- the hot SKU: threads, each with its own handle, until the SKU is sold out ---- */

static int hot_normal;
static long hot_sold[HOT_THREADS];

static void *oc_hot_thread(void *arg) {
    long t = (long)arg;
    oc_db *db = NULL;
    if (oc_open_v2("bench-suite-oc.db", &db, hot_normal ? OC_OPEN_SYNCHRONOUS_NORMAL : 0) != OC_OK) die("oc_open", oc_errmsg(db));
    for (;;) {
        char *response = NULL;
        int rc = oc_exec(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"HOT\",\"qty\":1,\"unit_price\":\"9.90\"}]}", &response);
        oc_free(response);
        if (rc == OC_INSUFFICIENT_STOCK) break;
        if (rc != OC_OK) die("hot order", oc_errmsg(db));
        hot_sold[t]++;
    }
    oc_close(db);
    return NULL;
}

static void *floor_hot_thread(void *arg) {
    long t = (long)arg;
    floor_db f;
    floor_open(&f, "bench-suite-floor.db", hot_normal, 0);
    for (int i = 1;; i++) {
        step(f.begin);
        sqlite3_bind_text(f.reserve, 1, "HOT", -1, SQLITE_STATIC); step(f.reserve);
        if (sqlite3_changes(f.db) != 1) { step(f.commit); break; }
        int rowid = (int)(t * 1000000 + i);
        char id[32];
        snprintf(id, sizeof id, "SO-%d", rowid);
        sqlite3_bind_int(f.order, 1, rowid); sqlite3_bind_text(f.order, 2, id, -1, SQLITE_TRANSIENT); step(f.order);
        sqlite3_bind_int(f.line, 1, rowid); sqlite3_bind_int(f.line, 2, 1); sqlite3_bind_text(f.line, 3, "HOT", -1, SQLITE_STATIC); step(f.line);
        sqlite3_bind_int(f.hold, 1, rowid); sqlite3_bind_text(f.hold, 2, "HOT", -1, SQLITE_STATIC); step(f.hold);
        ledger(&f, "HOT", "reserved", 1, "reserve", id);
        event(&f, rowid, "pending_payment");
        step(f.commit);
        hot_sold[t]++;
    }
    floor_close(&f);
    return NULL;
}

static double hot_run(int ordercore, int normal) {
    hot_normal = normal;
    if (ordercore) {
        oc_db *db = oc_shop("bench-suite-oc.db", normal ? OC_OPEN_SYNCHRONOUS_NORMAL : 0);
        oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"HOT\"}", NULL);
        oc_stock_receive(db, "HOT", "SH", HOT_UNITS);
        oc_close(db);
    } else {
        floor_db f;
        floor_open(&f, "bench-suite-floor.db", normal, 1);
        floor_close(&f);
    }
    pthread_t threads[HOT_THREADS];
    double start = now();
    for (long t = 0; t < HOT_THREADS; t++) pthread_create(&threads[t], NULL, ordercore ? oc_hot_thread : floor_hot_thread, (void *)t);
    long sold = 0;
    for (int t = 0; t < HOT_THREADS; t++) { pthread_join(threads[t], NULL); sold += hot_sold[t]; }
    double elapsed = now() - start;
    if (sold != HOT_UNITS) { fprintf(stderr, "sold %ld of %d\n", sold, HOT_UNITS); die("hot SKU", "oversold or undersold"); }
    return sold / elapsed;
}

/* ---- each measurement in its own process, for its own peak memory ---- */

static double measure(enum scenario s, int ordercore, int normal, long *peak_kb) {
    int pipefd[2];
    if (pipe(pipefd) != 0) die("pipe", "failed");
    pid_t child = fork();
    if (child == 0) {
        close(pipefd[0]);
        double rate = s == HOT ? hot_run(ordercore, normal)
                    : ordercore ? oc_run(s, normal ? OC_OPEN_SYNCHRONOUS_NORMAL : 0) : floor_run(s, normal);
        if (write(pipefd[1], &rate, sizeof rate) != sizeof rate) _exit(2);
        _exit(0);
    }
    close(pipefd[1]);
    double rate = 0;
    ssize_t got = read(pipefd[0], &rate, sizeof rate);
    close(pipefd[0]);
    int status;
    struct rusage usage;
    wait4(child, &status, 0, &usage);
    if (got != sizeof rate || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die(scenario_names[s], "the measuring process failed");
    *peak_kb = usage.ru_maxrss;
    return rate;
}

int main(int argc, char **argv) {
    orders = argc > 1 ? atoi(argv[1]) : 150;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    if (orders < 1 || rounds < 1 || rounds > 20) die("usage", "suite [ORDERS] [ROUNDS<=20]");
    printf("suite: OrderCore %s against the SQLite floor (SQLite %s), %d orders per round, median of %d rounds, each side in its own process\n",
           oc_version(), sqlite3_libversion(), orders, rounds);
    printf("  %-22s %-7s %17s %17s %7s %12s %12s\n", "scenario", "sync", "OrderCore", "floor", "ratio", "OC peak", "floor peak");
    const char *modes[] = {"FULL", "NORMAL"};
    for (int s = 0; s < SCENARIOS; s++) {
        for (int normal = 0; normal < 2; normal++) {
            double ours[20], floor_[20], ratio[20];
            long our_peak = 0, floor_peak = 0, kb;
            for (int r = 0; r < rounds; r++) {   /* interleaved, so the machine's noise falls on both */
                ours[r] = measure(s, 1, normal, &kb);
                if (kb > our_peak) our_peak = kb;
                floor_[r] = measure(s, 0, normal, &kb);
                if (kb > floor_peak) floor_peak = kb;
                ratio[r] = ours[r] / floor_[r];
            }
            printf("  %-22s %-7s %7.0f %-9s %7.0f %-9s %7.2f %9.1f MB %9.1f MB\n", scenario_names[s], modes[normal], median(ours, rounds),
                   units[s], median(floor_, rounds), units[s], median(ratio, rounds), our_peak / 1024.0, floor_peak / 1024.0);
        }
    }
    remove_database("bench-suite-oc.db");
    remove_database("bench-suite-floor.db");
    return 0;
}
