/*
 * libFuzzer harness over the C ABI (make fuzz; docs/reliability.md). The first byte of an input picks
 * the entry point: oc_exec with the rest as the request, oc_exec_batch (atomic or each), a typed
 * function whose string arguments are the rest split at '|', or the change feed. One in-memory
 * database lives across 2,000 inputs (so commands meet orders and stock that earlier inputs made),
 * then starts again from the seeded catalog, so reports and checks over it stay fast. Any crash, hang, leak (LeakSanitizer) or memory error (AddressSanitizer) stops the
 * run with the input that caused it.
 */
#include <ordercore.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static oc_db *db;

static void exec(const char *request) {
    char *out = NULL;
    oc_exec(db, request, &out);
    oc_free(out);
}

static void open_seeded(void) {
    if (oc_open(":memory:", &db) != OC_OK) abort();
    exec("{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\",\"priority\":1}");
    exec("{\"op\":\"sku.upsert\",\"sku\":\"A1\",\"name\":\"Mug\",\"barcode\":\"690001\",\"weight_g\":300}");
    exec("{\"op\":\"stock.receive\",\"sku\":\"A1\",\"warehouse\":\"SH\",\"qty\":1000000}");
    exec("{\"op\":\"channel.upsert\",\"channel\":\"shop\",\"profile\":\"csv\"}");
    /* Two platforms' JSON, as their webhooks and APIs send it: the profile mapper is what a channel's
     * payload meets first. */
    exec("{\"op\":\"channel.upsert\",\"channel\":\"shopify\",\"profile\":\"shopify\"}");
    exec("{\"op\":\"channel.upsert\",\"channel\":\"amazon\",\"profile\":\"amazon\"}");
    exec("{\"op\":\"order.create\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"1.00\"}]}");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    open_seeded();
    return 0;
}

/* The i-th '|'-separated part of text (NULL when absent: NULL arguments are part of the contract). */
static const char *part(char *parts[], int count, int i) { return i < count ? parts[i] : NULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int inputs;
    if (++inputs % 2000 == 0) {
        oc_close(db);
        open_seeded();
    }
    if (size == 0) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *out = NULL;
    int64_t n = 0;
    switch (data[0] % 6) {
    case 0:
        oc_exec(db, text, &out);
        break;
    case 1:
        oc_exec_batch(db, text, data[0] & 0x80 ? OC_BATCH_EACH : OC_BATCH_ATOMIC, &out);
        break;
    case 2: case 3: {
        char *parts[4];
        int count = 0;
        for (char *p = text; count < 4; count++) {
            parts[count] = p;
            char *bar = strchr(p, '|');
            if (!bar) { count++; break; }
            *bar = '\0';
            p = bar + 1;
        }
        const char *a = part(parts, count, 0), *b = part(parts, count, 1), *c = part(parts, count, 2);
        int64_t qty = (int64_t)(data[0] >> 3) - 8;
        switch ((data[0] >> 1) % 8) {
        case 0: oc_stock_receive(db, a, b, qty); break;
        case 1: oc_stock_adjust(db, a, b, qty, c); break;
        case 2: oc_stock_available(db, a, b, &n); break;
        case 3: oc_order_pay(db, a, b, c); break;
        case 4: oc_order_allocate(db, a, &out); break;
        case 5: oc_order_ship(db, a, b, c); break;
        case 6: oc_order_cancel(db, a, b); break;
        default: oc_order_state(db, a, &out); break;
        }
        break;
    }
    case 4:
        oc_events_read(db, size > 8 ? text : NULL, (int64_t)(data[0] >> 4) - 1, (int)size % 300 - 10, &out, &n);
        oc_events_ack(db, text, n);
        break;
    default:
        oc_sweep(db, &n);
        oc_errmsg(db);
        break;
    }
    oc_free(out);
    free(text);
    return 0;
}
