/*
 * Benchmark: what risk assessment adds to order creation. The same orders — each with a customer phone,
 * email, device, IP, account age and address, so every rule has work to do, after 10,000 earlier orders
 * — are created through oc_exec in two databases, one with risk.enabled on (the default rules) and one
 * with it off, alternating order by order so that the machine's noise falls on both alike. Reports the
 * median creation time of each and the time scoring adds. Target (issue 7): at most 20% more. With `zh`,
 * the addresses are Chinese, as most of a Chinese shop's are (the keyword rule reads them otherwise).
 *
 *   make bench      (or: risk [ORDERS] [HISTORY] [zh])
 */
#include "bench.h"
#include <ordercore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static oc_db *open_shop(const char *path, int risk) {
    oc_db *db = NULL;
    unlink(path);
    if (oc_open_v2(path, &db, OC_OPEN_SYNCHRONOUS_NORMAL) != OC_OK) die("oc_open", oc_errmsg(db));
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"A1\"}", NULL);
    oc_stock_receive(db, "A1", "SH", 1000000000);
    if (!risk) oc_exec(db, "{\"op\":\"config.set\",\"key\":\"risk.enabled\",\"value\":false}", NULL);
    return db;
}

static int chinese;  /* addresses in Chinese (`zh`) */

/* Order i, one a second: 3,000 customers, each mostly on its own device and IP (a few shared), so the
 * indexes have real neighbours and the rules mostly allow, as in a real shop. */
static void order_request(char *out, size_t size, int i) {
    char address[160];
    if (chinese)
        snprintf(address, sizeof address, "\"region\":\"陕西省\",\"city\":\"西安市\",\"line1\":\"新城区解放路%d号 东方大厦 1201室\"",
                 i % 97);
    else
        snprintf(address, sizeof address, "\"line1\":\"Road %d\",\"city\":\"Xi'an\"", i % 97);
    snprintf(out, size,
             "{\"op\":\"order.create\",\"placed_at\":\"2026-03-%02dT%02d:%02d:%02dZ\",\"lines\":[{\"sku\":\"A1\",\"qty\":1,\"unit_price\":\"%d.00\"}],"
             "\"customer\":{\"id\":\"c%d\",\"phone\":\"138%08d\",\"email\":\"c%d@example.com\",\"device_id\":\"D%d\",\"ip\":\"10.0.%d.%d\","
             "\"account_created_at\":\"2026-01-01T00:00:00Z\"},\"ship_to\":{%s}}",
             1 + i / 86400, (i / 3600) % 24, (i / 60) % 60, i % 60, 10 + i % 700, i % 3000, i % 3000, i % 3000, i % 2900,
             (i % 2950) / 250, i % 250, address);
}

static double timed_create(oc_db *db, const char *request) {
    double t = now();
    if (oc_exec(db, request, NULL) != OC_OK) die("order.create", oc_errmsg(db));
    return now() - t;
}

int main(int argc, char **argv) {
    int orders = argc > 1 ? atoi(argv[1]) : 5000, history = argc > 2 ? atoi(argv[2]) : 10000;
    chinese = argc > 3 && strcmp(argv[3], "zh") == 0;
    oc_db *off = open_shop("bench-risk-off.db", 0), *on = open_shop("bench-risk-on.db", 1);
    char request[1024];
    for (int i = 0; i < history; i++) {
        order_request(request, sizeof request, i);
        timed_create(off, request);
        timed_create(on, request);
    }
    double *t_off = malloc(sizeof(double) * orders), *t_on = malloc(sizeof(double) * orders), sum_off = 0, sum_on = 0;
    for (int i = 0; i < orders; i++) {
        order_request(request, sizeof request, history + i);
        if (i % 2) { t_on[i] = timed_create(on, request); t_off[i] = timed_create(off, request); }
        else { t_off[i] = timed_create(off, request); t_on[i] = timed_create(on, request); }
        sum_off += t_off[i];
        sum_on += t_on[i];
    }
    double m_off = median(t_off, orders), m_on = median(t_on, orders);
    printf("risk: %d order creations after %d earlier orders%s, alternating between scoring off and on (synchronous=NORMAL)\n",
           orders, history, chinese ? ", Chinese addresses" : "");
    printf("  median per order: off %.1f us, on %.1f us; scoring adds %.1f%% (target: at most 20%%)\n",
           m_off * 1e6, m_on * 1e6, (m_on / m_off - 1) * 100);
    printf("  total: off %.2f s, on %.2f s (+%.1f%%)\n", sum_off, sum_on, (sum_on / sum_off - 1) * 100);
    free(t_off);
    free(t_on);
    oc_close(off);
    oc_close(on);
    return 0;
}
