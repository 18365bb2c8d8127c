/*
 * Benchmark: contention on one hot SKU. P processes x T threads (each thread with its own handle) place
 * one-unit orders until UNITS units are sold; compared in the same run with 1 process x 1 thread selling
 * the same units. Prints orders/s, p50/p99 latency per order, busy errors (should be none: writers wait
 * inside), and checks exactly UNITS sold and a clean stock.verify. On an SQLite file; or, with
 * ORDERCORE_TEST_POSTGRESQL set (a server URI with {db}; make bench starts a throwaway server), on a
 * fresh PostgreSQL database per trial, each process a host.
 *
 *   hot_sku [UNITS] [PROCESSES] [THREADS]      (default 2000 2 4)
 */
#define _GNU_SOURCE
#include "pgbench.h"
#include <ordercore.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ORDERS 200000


static char path[1024] = "bench-hot.db";
static const char *server;  /* ORDERCORE_TEST_POSTGRESQL, or NULL for an SQLite file */
static const char *order = "{\"op\":\"order.create\",\"lines\":[{\"sku\":\"HOT\",\"qty\":1,\"unit_price\":\"9.90\"}]}";

struct worker { double *latencies; int count; int busy; int other; };

static void *run_thread(void *arg) {
    struct worker *w = arg;
    oc_db *db = NULL;
    if (oc_open(path, &db) != OC_OK) { w->other++; oc_close(db); return NULL; }
    for (;;) {
        double start = now();
        int rc = oc_exec(db, order, NULL);
        if (rc == OC_OK) { if (w->count < MAX_ORDERS) w->latencies[w->count++] = now() - start; }
        else if (rc == OC_INSUFFICIENT_STOCK) break;
        else if (rc == OC_BUSY) w->busy++;
        else { w->other++; break; }
    }
    oc_close(db);
    return NULL;
}

/* One process: T threads; writes "count busy other" and the latencies to fd. */
static void run_process(int threads, FILE *out) {
    pthread_t tid[64];
    struct worker w[64];
    for (int t = 0; t < threads; t++) {
        w[t] = (struct worker){ malloc(sizeof(double) * MAX_ORDERS), 0, 0, 0 };
        pthread_create(&tid[t], NULL, run_thread, &w[t]);
    }
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        fprintf(out, "%d %d %d\n", w[t].count, w[t].busy, w[t].other);
        for (int i = 0; i < w[t].count; i++) fprintf(out, "%.9f\n", w[t].latencies[i]);
        free(w[t].latencies);
    }
}


static void setup(long units) {
    char request[256];
    oc_db *db = NULL;
    static int trials = 0;
    if (server) {
        char name[32];
        snprintf(name, sizeof name, "bench_hot_%d", ++trials);
        pg_database(server, name, path, sizeof path);
    } else {
        unlink(path);
    }
    oc_open(path, &db);
    oc_exec(db, "{\"op\":\"sku.upsert\",\"sku\":\"HOT\"}", NULL);
    oc_exec(db, "{\"op\":\"warehouse.upsert\",\"warehouse\":\"SH\"}", NULL);
    snprintf(request, sizeof request, "{\"op\":\"config.set\",\"key\":\"order.unpaid_timeout_minutes\",\"value\":525600}");
    oc_exec(db, request, NULL);
    oc_stock_receive(db, "HOT", "SH", units);
    oc_close(db);
}

static void trial(long units, int processes, int threads) {
    setup(units);
    char files[16][64];
    double start = now();
    for (int p = 0; p < processes; p++) {
        snprintf(files[p], sizeof files[p], "bench-hot-%d.out", p);
        pid_t pid = fork();
        if (pid == 0) {
            FILE *out = fopen(files[p], "w");
            run_process(threads, out);
            fclose(out);
            _exit(0);
        }
    }
    while (wait(NULL) > 0) {}
    double elapsed = now() - start;
    static double all[MAX_ORDERS];
    long sold = 0;
    int busy = 0, other = 0, n = 0;
    for (int p = 0; p < processes; p++) {
        FILE *in = fopen(files[p], "r");
        int count, b, o;
        while (in && fscanf(in, "%d %d %d", &count, &b, &o) == 3) {
            sold += count; busy += b; other += o;
            for (int i = 0; i < count; i++) { double v; if (fscanf(in, "%lf", &v) == 1 && n < MAX_ORDERS) all[n++] = v; }
        }
        if (in) fclose(in);
        unlink(files[p]);
    }
    qsort(all, n, sizeof *all, compare_doubles);
    oc_db *db = NULL;
    char *verify = NULL;
    int64_t left = -1;
    oc_open(path, &db);
    oc_exec(db, "{\"op\":\"stock.verify\"}", &verify);
    oc_stock_available(db, "HOT", NULL, &left);
    printf("%d process(es) x %d thread(s): %ld sold of %ld (%s), %.0f orders/s, p50 %.2f ms, p99 %.2f ms, busy errors %d, other errors %d, "
           "ledger %s\n", processes, threads, sold, units, sold == units && left == 0 ? "exact" : "WRONG", sold / elapsed,
           n ? all[n / 2] * 1e3 : 0, n ? all[(int)(n * 0.99)] * 1e3 : 0, busy, other,
           verify && strstr(verify, "\"ok\":true") ? "verified" : "NOT VERIFIED");
    oc_free(verify);
    oc_close(db);
    if (!server) unlink(path);
}

int main(int argc, char **argv) {
    long units = argc > 1 ? atol(argv[1]) : 2000;
    int processes = argc > 2 ? atoi(argv[2]) : 2;
    int threads = argc > 3 ? atoi(argv[3]) : 4;
    if (units < 1 || units > MAX_ORDERS || processes < 1 || processes > 16 || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: hot_sku [UNITS<=%d] [PROCESSES<=16] [THREADS<=64]\n", MAX_ORDERS);
        return 2;
    }
    server = getenv("ORDERCORE_TEST_POSTGRESQL");
    printf("hot SKU: %ld units, one-unit orders, %s, OrderCore %s\n", units,
           server ? "PostgreSQL (each process a host)" : "SQLite, synchronous=FULL", oc_version());
    trial(units, 1, 1);
    trial(units, processes, threads);
    return 0;
}
