/*
 * The nightly job of an ERP in C: back the database up online, check it, read the health score, and
 * export the day's ledger and the orders waiting for allocation for the warehouse system.
 *
 *   make build
 *   cc examples/c/nightly.c -I dist/include -L dist/lib -lordercore -o nightly
 *   LD_LIBRARY_PATH=dist/lib ./nightly ordercore.db backups/
 *
 * Every step is one JSON command through oc_exec; each answer is a JSON envelope.
 */
#include <ordercore.h>
#include <stdio.h>
#include <string.h>

/* Runs one command and prints what it answered, or why it failed. Returns the library's code. */
static int step(oc_db *db, const char *what, const char *request) {
    char *response = NULL;
    int rc = oc_exec(db, request, &response);
    if (rc == OC_OK) printf("%-28s %.200s\n", what, response);
    else fprintf(stderr, "%s failed (%s): %s\n", what, oc_errstr(rc), response ? response : oc_errmsg(db));
    oc_free(response);
    return rc;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "nightly.db";
    const char *dir = argc > 2 ? argv[2] : ".";
    oc_db *db = NULL;
    if (oc_open(path, &db) != OC_OK) {
        fprintf(stderr, "cannot open %s: %s\n", path, oc_errmsg(db));
        oc_close(db);
        return 1;
    }
    /* A new database gets a little history, so there is something to report. */
    char *listed = NULL;
    oc_exec(db, "{\"op\":\"order.list\",\"limit\":1}", &listed);
    if (listed && strstr(listed, "\"orders\":[]")) {
        oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"MUG-1\",\"name\":\"Mug\"}", NULL);
        oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
        oc_stock_receive(db, "MUG-1", "SH", 20);
        for (int i = 0; i < 3; i++) {
            char *created = NULL, id[32] = "";
            oc_exec(db, "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"MUG-1\",\"qty\":1,\"unit_price\":\"19.90\"}]}", &created);
            const char *p = created ? strstr(created, "\"order_id\":\"") : NULL;
            if (p) sscanf(p + 12, "%31[^\"]", id);
            oc_free(created);
            oc_order_pay(db, id, NULL, NULL);
        }
    }
    oc_free(listed);

    char request[1024];
    int failed = 0;
    snprintf(request, sizeof request, "{\"op\":\"db.backup\",\"path\":\"%s/ordercore-backup.db\"}", dir);
    failed |= step(db, "backup (online, checked)", request) != OC_OK;
    failed |= step(db, "integrity and ledger", "{\"op\":\"db.check\",\"quick\":true}") != OC_OK;
    failed |= step(db, "health (last 7 days)", "{\"op\":\"report.health\",\"verify\":false}") != OC_OK;
    snprintf(request, sizeof request, "{\"op\":\"export\",\"request\":{\"op\":\"stock.ledger\"},\"path\":\"%s/ledger.jsonl\",\"format\":\"jsonl\"}", dir);
    failed |= step(db, "ledger as JSON lines", request) != OC_OK;
    snprintf(request, sizeof request, "{\"op\":\"export\",\"request\":{\"op\":\"order.list\",\"state\":\"paid\"},\"path\":\"%s/to-allocate.csv\"}", dir);
    failed |= step(db, "orders to allocate (CSV)", request) != OC_OK;
    oc_close(db);
    return failed;
}
