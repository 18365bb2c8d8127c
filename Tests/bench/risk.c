/*
 * Benchmark: what risk assessment adds to order creation. The same orders — each with a customer phone,
 * email, device, IP, account age and address, so every rule has work to do — are created through
 * oc_exec in two databases, one with risk.enabled on (the default rules) and one with it off, round by
 * round in the same run. Target (issue 7): at most 20% more time per order.
 *
 *   make bench      (or: risk [ORDERS] [ROUNDS])
 */
#include "bench.h"
#include <ordercore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double round_rate(const char *path, int orders, int risk, int history) {
    oc_db *db = NULL;
    unlink(path);
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\"}", NULL);
    oc_stock_receive(db, "A1", "SH", 1000000000);
    if (!risk) oc_exec(db, "{\"op\":\"config.set\",\"key\":\"risk.enabled\",\"value\":false}", NULL);
    char request[1024];
    double start = 0;
    for (int i = 0; i < history + orders; i++) {
        if (i == history) start = now();
        /* 2,000 customers, 500 devices, 300 IPs: the velocity and shared-device indexes have real neighbours. */
        snprintf(request, sizeof request,
                 "{\"op\":\"order.create\",\"placed_at\":\"2026-03-01T%02d:%02d:%02dZ\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"%d.00\"}],"
                 "\"customer\":{\"id\":\"c%d\",\"phone\":\"138%08d\",\"email\":\"c%d@example.com\",\"device_id\":\"D%d\",\"ip\":\"10.0.%d.%d\","
                 "\"account_created_at\":\"2026-01-01T00:00:00Z\"},\"ship_to\":{\"line1\":\"Road %d\",\"city\":\"Xi'an\"}}",
                 (i / 3600) % 24, (i / 60) % 60, i % 60, 10 + i % 700, i % 2000, i % 2000, i % 2000, i % 500, (i % 300) / 250, i % 250, i % 97);
        if (oc_exec(db, request, NULL) != OC_OK) die("order.create", oc_errmsg(db));
    }
    double rate = orders / (now() - start);
    oc_close(db);
    return rate;
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 2000, rounds = argc > 2 ? atoi(argv[2]) : 7, history = 10000;
    double on[64], off[64], overhead[64];
    if (rounds > 64) rounds = 64;
    printf("risk: %d order creations after %d earlier orders, with and without risk assessment (synchronous=NORMAL)\n", orders, history);
    for (int r = 0; r < rounds; r++) {
        off[r] = round_rate("bench-risk-off.db", orders, 0, history);
        on[r] = round_rate("bench-risk-on.db", orders, 1, history);
        overhead[r] = off[r] / on[r] - 1;
        printf("  round %d: risk off %6.0f orders/s, risk on %6.0f orders/s, time added %+.1f%%\n", r + 1, off[r], on[r], overhead[r] * 100);
    }
    printf("  median: risk off %.0f, risk on %.0f orders/s; risk adds %.1f%% per order (target: at most 20%%)\n",
           median(off, rounds), median(on, rounds), median(overhead, rounds) * 100);
    return 0;
}
