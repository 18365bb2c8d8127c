/*
 * Channel sync: a middleware loop in C. Channel events go in with intake.ingest (a redelivered event is
 * answered with its first outcome); what changed comes out of the change feed, to be pushed back to
 * the channels and the ERP, and is acknowledged so that a restart resumes exactly where it stopped.
 *
 *   cc examples/c/channel_sync.c -I dist/include -L dist/lib -lordercore -o channel_sync
 *   LD_LIBRARY_PATH=dist/lib ./channel_sync sync.db
 */
#include <ordercore.h>
#include <stdio.h>
#include <string.h>

static int must(oc_db *db, int rc, const char *what) {
    if (rc != OC_OK) fprintf(stderr, "%s: %s (%s)\n", what, oc_errstr(rc), oc_errmsg(db));
    return rc;
}

int main(int argc, char **argv) {
    oc_db *db = NULL;
    if (must(db, oc_open(argc > 1 ? argv[1] : "sync.db", &db), "open") != OC_OK) return oc_close(db), 1;
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"MUG-1\",\"name\":\"Mug\"}", NULL);
    oc_stock_receive(db, "MUG-1", "SH", 10);
    oc_exec(db, "{\"op\":\"channel.upsert\",\"channel\":\"shop\",\"profile\":\"csv\"}", NULL);

    /* A webhook arrives twice (the channel retried): it is applied once. */
    const char *event = "{\"op\":\"intake.ingest\",\"channel\":\"shop\",\"event_id\":\"wh-1001\","
                        "\"payload\":\"order_id,placed_at,currency,status,sku,qty,unit_price\\n"
                        "1001,2026-01-18T10:00:00Z,CNY,paid,MUG-1,2,19.90\"}";
    for (int delivery = 1; delivery <= 2; delivery++) {
        char *outcome = NULL;
        if (must(db, oc_exec(db, event, &outcome), "intake.ingest") != OC_OK) return oc_close(db), 1;
        printf("delivery %d: %s\n", delivery, strstr(outcome, "\"duplicate\":true") ? "already in (first answer returned)" : "applied");
        oc_free(outcome);
    }

    /* Push every change to the outside world, then acknowledge it. */
    char *events = NULL;
    int64_t cursor = 0;
    while (must(db, oc_events_read(db, "channel-push", -1, 100, &events, &cursor), "events") == OC_OK && strcmp(events, "[]") != 0) {
        printf("push: %s\n", events);
        oc_free(events);
        events = NULL;
        must(db, oc_events_ack(db, "channel-push", cursor), "ack");
    }
    oc_free(events);
    int64_t sellable = 0;
    oc_stock_sellable(db, "MUG-1", "shop", &sellable);
    printf("shop may sell %lld MUG-1\n", (long long)sellable);
    return oc_close(db);
}
