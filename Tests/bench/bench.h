/* Helpers shared by the benchmark programs: a monotonic clock, medians, a way out, and clearing up. */
#ifndef ORDERCORE_BENCH_H
#define ORDERCORE_BENCH_H
#include <ordercore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void die(const char *what, const char *why) {
    fprintf(stderr, "bench: %s: %s\n", what, why);
    exit(1);
}

static inline int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v in place and returns its median. */
static inline double median(double *v, int n) {
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Copies the order id ("SO-000001") of an order.create response into id (32 bytes). */
static inline void order_id_of(const char *response, char *id) {
    const char *p = strstr(response, "\"order_id\":\"");
    if (!p) die("no order_id in", response);
    p += 12;
    size_t n = strcspn(p, "\"");
    if (n > 31) n = 31;
    memcpy(id, p, n);
    id[n] = '\0';
}

/* Warehouse SH, and SKU-0 ... SKU-<skus - 1> with a billion units each there. */
static inline void seed_stock(oc_db *db, int skus) {
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    for (int s = 0; s < skus; s++) {
        char sku[16], request[128];
        snprintf(sku, sizeof sku, "SKU-%d", s);
        snprintf(request, sizeof request, "{\"op\":\"sku.upsert\",\"sku\":\"%s\"}", sku);
        oc_exec(db, request, NULL);
        if (oc_stock_receive(db, sku, "SH", 1000000000) != OC_OK) die("oc_stock_receive", oc_errmsg(db));
    }
}

/* Removes a database file with its WAL and shared-memory files. */
static inline void remove_database(const char *path) {
    char name[512];
    unlink(path);
    snprintf(name, sizeof name, "%s-wal", path); unlink(name);
    snprintf(name, sizeof name, "%s-shm", path); unlink(name);
}
#endif
