/* Fills the disk under an OrderCore database (a small tmpfs set up by full_disk.sh) until a command
 * fails with OC_FULL, then checks that the failure was clean: every order that was acknowledged is
 * still there, stock adds up, and the database keeps working for reads. */
#include <ordercore.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond, ...) do { if (cond) passed++; else { failed++; printf("FAIL line %d: ", __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "full.db";
    oc_db *db = NULL;
    if (oc_open(path, &db) != OC_OK) { printf("FAIL open: %s\n0 passed, 1 failed\n", oc_errmsg(db)); return 1; }
    oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\"}", NULL);
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    oc_stock_receive(db, "A1", "SH", 1000000);

    /* Large notes make each order big, so the disk fills after a few hundred orders. */
    static char request[12000];
    char note[4001];
    memset(note, 'x', sizeof note - 1);
    note[sizeof note - 1] = '\0';
    snprintf(request, sizeof request, "{\"op\":\"order.create\",\"note\":\"%s\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}", note);
    int rc = OC_OK;
    long acknowledged = 0;
    while (acknowledged < 100000 && (rc = oc_exec(db, request, NULL)) == OC_OK) acknowledged++;
    printf("disk full after %ld acknowledged orders\n", acknowledged);
    CHECK(rc == OC_FULL, "the disk filled up with OC_FULL, got %d (%s) after %ld orders", rc, oc_errmsg(db), acknowledged);
    CHECK(strstr(oc_errmsg(db), "full") != NULL, "the message says so: %s", oc_errmsg(db));

    int64_t available = -1;
    CHECK(oc_stock_available(db, "A1", NULL, &available) == OC_OK, "reads still work: %s", oc_errmsg(db));
    CHECK(available == 1000000 - acknowledged, "reserved units equal acknowledged orders: %lld vs %ld",
          (long long)available, acknowledged);
    char *response = NULL;
    oc_exec(db, "{\"op\":\"order.list\",\"limit\":1}", &response);
    char expected[64];
    snprintf(expected, sizeof expected, "\"order_id\":\"SO-%06ld\"", acknowledged);
    CHECK(response && strstr(response, expected), "the last acknowledged order is the newest: %s", expected);
    oc_free(response);
    oc_close(db);

    /* Reopening (recovery from the WAL) finds the same state. */
    CHECK(oc_open(path, &db) == OC_OK, "reopening a full disk works: %s", oc_errmsg(db));
    available = -1;
    oc_stock_available(db, "A1", NULL, &available);
    CHECK(available == 1000000 - acknowledged, "after reopening: %lld", (long long)available);
    char *check = NULL;
    CHECK(oc_exec(db, "{\"op\":\"db.check\"}", &check) == OC_OK && strstr(check, "\"ok\":true"),
          "db.check: integrity and ledger sound: %s", check ? check : oc_errmsg(db));
    oc_free(check);
    oc_close(db);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
