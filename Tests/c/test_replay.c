/* A day of orders through the whole lifecycle via the C ABI: 300 orders over 6 SKUs in 3 warehouses,
 * created one after another (on the wall clock, as the typed calls use it), paid, allocated, picked, packed with scans, shipped and delivered -- some held
 * and released, some cancelled at different stages, some shipped in two parcels with the rest cancelled.
 * Checks: every command the script expects to work works, stock.verify is clean, on-hand stock equals
 * receipts less shipped units, and every order's timeline holds exactly the transitions it went through. */
#include <ordercore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL line %d: ", __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static oc_db *db;
static char out[1 << 20]; /* a list of every order replayed fits, whatever its members */

static int run(const char *json) {
    char *response = NULL;
    int rc = oc_exec(db, json, &response);
    snprintf(out, sizeof out, "%s", response ? response : "");
    oc_free(response);
    return rc;
}

static int runf(const char *fmt, const char *a, const char *b, const char *c) {
    char request[4096];
    snprintf(request, sizeof request, fmt, a, b, c);
    return run(request);
}

/* Counts of "to":"state" in the last timeline response. */
static int count_to(const char *state) {
    char needle[64];
    int n = 0;
    snprintf(needle, sizeof needle, "\"to\":\"%s\"", state);
    for (const char *p = out; (p = strstr(p, needle)); p++) n++;
    return n;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "replay.db";
    remove(path);
    if (oc_open(path, &db) != OC_OK) { printf("FAIL open: %s\n0 passed, 1 failed\n", oc_errmsg(db)); return 1; }
    const char *skus[] = {"TEA", "MUG", "POT", "CUP", "BAG", "BOX"};
    const char *warehouses[] = {"SH", "BJ", "GZ"};
    char sku_json[256], code[32];
    for (int w = 0; w < 3; w++) {
        runf("{\"op\":\"warehouse.upsert\",\"warehouse\":\"%s\",\"priority\":%s}", warehouses[w], w == 0 ? "1" : w == 1 ? "2" : "3", "");
    }
    long received = 0;
    for (int s = 0; s < 6; s++) {
        snprintf(sku_json, sizeof sku_json, "{\"op\":\"sku.upsert\",\"sku\":\"%s\",\"barcode\":\"69%04d\",\"weight_g\":%d}", skus[s], s, 100 + 50 * s);
        run(sku_json);
        for (int w = 0; w < 3; w++) { oc_stock_receive(db, skus[s], warehouses[w], 200); received += 200; }
    }
    srand(20260118);
    int orders = 300, shipped_units = 0, completed = 0, cancelled = 0, split = 0;
    char id[32], request[4096], scans[1024];
    for (int i = 0; i < orders; i++) {
        int a = rand() % 6, b = (a + 1 + rand() % 5) % 6, qa = 1 + rand() % 3, qb = 1 + rand() % 2;
        snprintf(request, sizeof request,
                 "{\"op\":\"order.create\",\"channel\":\"web\",\"lines\":[{\"sku\":\"%s\",\"qty\":%d,\"unit_price\":\"10.00\"},"
                 "{\"sku\":\"%s\",\"qty\":%d,\"unit_price\":\"5.00\"}],\"discounts\":[{\"kind\":\"coupon\",\"amount\":\"3.00\"}]}",
                 skus[a], qa, skus[b], qb);
        if (run(request) != OC_OK) { CHECK(0, "create %d: %s", i, out); continue; }
        const char *p = strstr(out, "\"order_id\":\"") + 12;
        size_t n = strcspn(p, "\"");
        memcpy(id, p, n); id[n] = '\0';
        int fate = rand() % 10;  /* 0: cancelled unpaid, 1: cancelled after payment, 2: held then released, 3: split, else straight */
        int steps = 1;           /* transitions in the timeline */
        if (fate == 0) {
            CHECK(oc_order_cancel(db, id, "buyer left") == OC_OK, "cancel %s", id);
            cancelled++;
            runf("{\"op\":\"order.timeline\",\"order_id\":\"%s\"}", id, "", "");
            CHECK(count_to("cancelled") == 1 && count_to("pending_payment") == 1, "timeline of %s: %s", id, out);
            continue;
        }
        CHECK(oc_order_pay(db, id, NULL, NULL) == OC_OK, "pay %s: %s", id, oc_errmsg(db));
        steps++;
        if (fate == 2) {
            CHECK(oc_order_hold(db, id, "address check") == OC_OK && oc_order_release(db, id, NULL) == OC_OK, "hold/release %s", id);
            steps += 2;
        }
        if (fate == 1) {
            CHECK(oc_order_cancel(db, id, "out of stock at the shelf") == OC_OK, "cancel paid %s", id);
            cancelled++;
            runf("{\"op\":\"order.get\",\"order_id\":\"%s\"}", id, "", "");
            const char *paid = strstr(out, "\"paid_total\":\"") + 14, *owed = strstr(out, "\"refund_due\":\"") + 14;
            CHECK(strncmp(paid, owed, strcspn(paid, "\"")) == 0, "the refund owed is what was paid: %s", id);
            continue;
        }
        CHECK(runf("{\"op\":\"order.allocate\",\"order_id\":\"%s\"}", id, "", "") == OC_OK, "allocate %s: %s", id, out);
        CHECK(runf("{\"op\":\"order.pick\",\"order_id\":\"%s\"}", id, "", "") == OC_OK, "pick %s: %s", id, out);
        steps += 2;
        /* Scan the order code, then each unit's barcode; the weight is what the units weigh. */
        int weight = qa * (100 + 50 * a) + qb * (100 + 50 * b);
        int len = snprintf(scans, sizeof scans, "\"%s\"", id);
        for (int u = 0; u < qa; u++) len += snprintf(scans + len, sizeof scans - len, ",\"69%04d\"", a);
        if (fate != 3) for (int u = 0; u < qb; u++) len += snprintf(scans + len, sizeof scans - len, ",\"69%04d\"", b);
        snprintf(request, sizeof request, "{\"op\":\"order.pack\",\"order_id\":\"%s\",\"scans\":[%s],\"weight_g\":%d%s}", id, scans,
                 fate == 3 ? qa * (100 + 50 * a) : weight, fate == 3 ? ",\"partial\":true" : "");
        CHECK(run(request) == OC_OK && strstr(out, "\"weight_check\":\"passed\""), "pack %s: %s", id, out);
        steps++;
        snprintf(code, sizeof code, "T%05d", i);
        CHECK(oc_order_ship(db, id, "SF", code) == OC_OK, "ship %s: %s", id, oc_errmsg(db));
        steps++;
        shipped_units += qa + (fate == 3 ? 0 : qb);
        if (fate == 3) {
            CHECK(oc_order_cancel(db, id, "second item damaged") == OC_OK, "cancel the rest of %s: %s", id, oc_errmsg(db));
            steps++;
            split++;
        }
        CHECK(oc_order_deliver(db, id, NULL) == OC_OK, "deliver %s: %s", id, oc_errmsg(db));
        CHECK(runf("{\"op\":\"order.complete\",\"order_id\":\"%s\"}", id, "", "") == OC_OK, "complete %s: %s", id, out);
        steps += 2;
        completed++;
        runf("{\"op\":\"order.timeline\",\"order_id\":\"%s\"}", id, "", "");
        int events = 0;
        for (const char *q = out; (q = strstr(q, "\"seq\":")); q++) events++;
        CHECK(events == steps && count_to("completed") == 1, "timeline of %s has %d events, expected %d: %s", id, events, steps, out);
    }
    CHECK(run("{\"op\":\"stock.verify\"}") == OC_OK && strstr(out, "\"ok\":true"), "stock.verify: %s", out);
    long on_hand = 0;
    for (int s = 0; s < 6; s++) {
        snprintf(request, sizeof request, "{\"op\":\"stock.get\",\"sku\":\"%s\"}", skus[s]);
        run(request);
        on_hand += atol(strstr(out, "\"on_hand\":") + 10);
    }
    CHECK(on_hand == received - shipped_units, "on hand %ld = received %ld - shipped %d", on_hand, received, shipped_units);
    CHECK(run("{\"op\":\"order.list\",\"state\":\"completed\",\"limit\":1000}") == OC_OK, "list");
    int listed = 0;
    for (const char *q = out; (q = strstr(q, "\"order_id\":")); q++) listed++;
    CHECK(listed == completed, "%d completed orders listed, %d completed", listed, completed);
    printf("replayed %d orders: %d completed (%d split), %d cancelled, %d units shipped\n", orders, completed, split, cancelled, shipped_units);
    oc_close(db);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
