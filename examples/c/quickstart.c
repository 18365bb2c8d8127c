/*
 * OrderCore quickstart in C: receive stock, create orders, pay one, cancel another, print a timeline.
 *
 *   make build
 *   cc examples/c/quickstart.c -I dist/include -L dist/lib -lordercore -o quickstart
 *   LD_LIBRARY_PATH=dist/lib ./quickstart quickstart.db
 */
#include <ordercore.h>
#include <stdio.h>
#include <string.h>

/* Stops the example with the library's own explanation of what went wrong. */
static int check(oc_db *db, int rc, const char *what) {
    if (rc != OC_OK) fprintf(stderr, "%s failed: %s (%s)\n", what, oc_errmsg(db), oc_errstr(rc));
    return rc;
}

/* Runs a JSON command; returns the response (free with oc_free) or NULL on error. */
static char *exec(oc_db *db, const char *json) {
    char *response = NULL;
    int rc = oc_exec(db, json, &response);
    if (check(db, rc, json) != OC_OK) { oc_free(response); return NULL; }
    return response;
}

/* Copies the "order_id" of an order response into out. */
static void order_id_of(const char *response, char *out, size_t size) {
    const char *p = strstr(response, "\"order_id\":\"");
    size_t n = 0;
    if (p) for (p += 12; *p && *p != '"' && n + 1 < size; p++) out[n++] = *p;
    out[n] = '\0';
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "quickstart.db";
    oc_db *db = NULL;
    if (check(db, oc_open(path, &db), "oc_open") != OC_OK) { oc_close(db); return 1; }
    printf("OrderCore %s, database %s\n", oc_version(), path);

    /* Catalog and stock: documents go through oc_exec, the everyday path has typed functions. */
    oc_free(exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"MUG-1\",\"name\":\"Mug\",\"barcode\":\"690123\",\"weight_g\":350}"));
    oc_free(exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\",\"name\":\"Shanghai\",\"priority\":1}"));
    if (check(db, oc_stock_receive(db, "MUG-1", "SH", 10), "oc_stock_receive") != OC_OK) return 1;

    /* Two orders of 3 mugs each reserve 6 of the 10. */
    char paid[32], cancelled[32];
    const char *order = "{\"op\":\"order.create\",\"channel\":\"web\",\"currency\":\"CNY\","
                        "\"lines\":[{\"sku\":\"MUG-1\",\"qty\":3,\"unit_price\":\"19.90\"}]}";
    char *r1 = exec(db, order), *r2 = exec(db, order);
    if (!r1 || !r2) return 1;
    order_id_of(r1, paid, sizeof paid);
    order_id_of(r2, cancelled, sizeof cancelled);
    oc_free(r1);
    oc_free(r2);

    int64_t available = 0;
    oc_stock_available(db, "MUG-1", NULL, &available);
    printf("created %s and %s; MUG-1 available: %lld\n", paid, cancelled, (long long)available);

    /* Pay the first (the amount due), cancel the second (its 3 mugs come back). */
    if (check(db, oc_order_pay(db, paid, "59.70", "PAY-1"), "oc_order_pay") != OC_OK) return 1;
    if (check(db, oc_order_cancel(db, cancelled, "buyer changed their mind"), "oc_order_cancel") != OC_OK) return 1;

    char *state = NULL;
    oc_order_state(db, paid, &state);
    printf("%s is %s\n", paid, state);
    oc_free(state);
    oc_stock_available(db, "MUG-1", NULL, &available);
    printf("MUG-1 available after the cancellation: %lld\n", (long long)available);

    /* Paying a cancelled order is refused with a reason, and changes nothing. */
    int rc = oc_order_pay(db, cancelled, NULL, NULL);
    printf("paying %s again: %s -- %s\n", cancelled, oc_errstr(rc), oc_errmsg(db));

    char request[128];
    snprintf(request, sizeof request, "{\"op\":\"order.timeline\",\"order_id\":\"%s\"}", cancelled);
    char *timeline = exec(db, request);
    if (timeline) printf("timeline of %s: %s\n", cancelled, timeline);
    oc_free(timeline);

    oc_close(db);
    return rc == OC_CONFLICT ? 0 : 1;
}
