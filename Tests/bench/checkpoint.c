/*
 * Benchmark: does checkpointing keep up? Paid 3-line orders written for SECONDS (oc_exec_batch, 50 a
 * transaction), first with nobody reading, then with READERS connections (plain SQLite, each on its own
 * thread) that read in short transactions one after the other, staggered so that one is always in the
 * middle of a read -- what a dashboard, a feed consumer or a report does. Samples the write-ahead log's
 * size after every transaction and prints orders/s, the log's largest size and its size at the end.
 * SQLite's own checkpoints never start such a log again; OrderCore's policy (docs/reliability.md,
 * "Checkpoints") bounds it.
 *
 *   checkpoint [SECONDS] [READERS] [READ_MS]      (default 10 2 20)
 */
#include "bench.h"
#include <ordercore.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>

static const char *path = "bench-checkpoint.db";
static volatile int stopping;
static int read_ms = 20;

static long long file_size(const char *name) {
    struct stat st;
    return stat(name, &st) == 0 ? (long long)st.st_size : 0;
}

static void *reader(void *arg) {
    usleep((useconds_t)(long)arg);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) die("reader open", sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 10000);
    while (!stopping) {
        sqlite3_exec(db, "BEGIN; SELECT COUNT(*) FROM orders;", NULL, NULL, NULL);
        usleep(read_ms * 1000);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return NULL;
}

static void run(double seconds, int readers) {
    char wal[256];
    snprintf(wal, sizeof wal, "%s-wal", path);
    remove_database(path);
    oc_db *db = NULL;
    if (oc_open(path, &db) != OC_OK) die("open", oc_errmsg(db));
    seed_stock(db, 3);
    static char batch[50 * 256];
    size_t n = 0;
    batch[n++] = '[';
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n,
                              "%s{\"op\":\"order.create\",\"channel\":\"web\",\"currency\":\"CNY\",\"payment\":{},"
                              "\"lines\":[{\"sku\":\"SKU-0\",\"qty\":1,\"unit_price\":\"19.90\"},{\"sku\":\"SKU-1\","
                              "\"qty\":1,\"unit_price\":\"19.90\"},{\"sku\":\"SKU-2\",\"qty\":1,\"unit_price\":\"19.90\"}]}",
                              i ? "," : "");
    snprintf(batch + n, sizeof batch - n, "]");
    pthread_t threads[16];
    stopping = 0;
    for (int r = 0; r < readers; r++)
        pthread_create(&threads[r], NULL, reader, (void *)(long)(r * read_ms * 1000 / readers));
    long long peak = 0;
    long orders = 0;
    double start = now();
    while (now() - start < seconds) {
        if (oc_exec_batch(db, batch, OC_BATCH_ATOMIC, NULL) != OC_OK) die("batch", oc_errmsg(db));
        orders += 50;
        long long size = file_size(wal);
        if (size > peak) peak = size;
    }
    double elapsed = now() - start;
    stopping = 1;
    for (int r = 0; r < readers; r++) pthread_join(threads[r], NULL);
    printf("  %d reader%s (%d ms reads): %6.0f orders/s, log at most %6.1f MB, %6.1f MB at the end\n", readers,
           readers == 1 ? " " : "s", read_ms, orders / elapsed, peak / 1e6, file_size(wal) / 1e6);
    oc_close(db);
    remove_database(path);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    int readers = argc > 2 ? atoi(argv[2]) : 2;
    if (argc > 3) read_ms = atoi(argv[3]);
    if (readers < 1 || readers > 16 || read_ms < 1) die("usage", "checkpoint [SECONDS] [READERS 1-16] [READ_MS]");
    printf("checkpoints: paid 3-line orders, 50 a transaction, for %.0f s each (synchronous=FULL)\n", seconds);
    run(seconds, 0);
    run(seconds, readers);
    return 0;
}
