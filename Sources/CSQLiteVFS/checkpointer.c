/* Checkpoints on a thread of their own (ordercore_vfs.h). A PASSIVE checkpoint copies into the database
 * the log frames no reader still needs; on the connection that commits it costs that commit a copy of
 * every page the last thousand frames changed and two syncs, a quarter of a paid order's time here
 * (docs/benchmarks.md, section 1). On this thread it overlaps the next commits instead. */
#include "ordercore_vfs.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

struct ordercore_checkpointer {
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int requested, stopping;
    long passes;
    pid_t process; /* that started the thread: a child made by fork has no such thread to stop */
};

/* Held (shared) by a thread while it is inside SQLite, and taken whole by fork: a child made while a
 * checkpoint ran would find SQLite's mutexes held by a thread it does not have, and its first SQLite
 * call would wait forever. Fork waits for running checkpoints instead; none starts until it is done. */
static pthread_rwlock_t forkGate = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t forkHandlers = PTHREAD_ONCE_INIT;
static void closeGate(void) { pthread_rwlock_wrlock(&forkGate); }
static void openGate(void) { pthread_rwlock_unlock(&forkGate); }
static void installForkHandlers(void) { pthread_atfork(closeGate, openGate, openGate); }

static void *run(void *arg) {
    ordercore_checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->requested && !c->stopping) pthread_cond_wait(&c->wake, &c->lock);
        if (c->stopping) break;
        c->requested = 0;
        pthread_mutex_unlock(&c->lock);
        /* Busy (another connection checkpoints) or failed: the next request tries again. */
        pthread_rwlock_rdlock(&forkGate);
        sqlite3_wal_checkpoint_v2(c->db, 0, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
        pthread_rwlock_unlock(&forkGate);
        pthread_mutex_lock(&c->lock);
        c->passes++;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

ordercore_checkpointer *ordercore_checkpointer_start(const char *path) {
    pthread_once(&forkHandlers, installForkHandlers);
    ordercore_checkpointer *c = calloc(1, sizeof *c);
    if (c == 0) return 0;
    /* Its own connection, used by the thread alone; a small cache (a checkpoint copies through the log's
     * own buffer). A first read opens the log, which the checkpoint needs. */
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, ordercore_vfs()) != SQLITE_OK ||
        sqlite3_busy_timeout(c->db, 100) != SQLITE_OK ||
        sqlite3_exec(c->db, "PRAGMA cache_size=16; SELECT COUNT(*) FROM sqlite_schema", 0, 0, 0) != SQLITE_OK) {
        sqlite3_close_v2(c->db);
        free(c);
        return 0;
    }
    pthread_mutex_init(&c->lock, 0);
    pthread_cond_init(&c->wake, 0);
    c->process = getpid();
    /* The thread takes no signal: they stay the host's threads' to handle. */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    int rc = pthread_create(&c->thread, 0, run, c);
    pthread_sigmask(SIG_SETMASK, &before, 0);
    if (rc != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        sqlite3_close_v2(c->db);
        free(c);
        return 0;
    }
    return c;
}

void ordercore_checkpointer_request(ordercore_checkpointer *c) {
    pthread_mutex_lock(&c->lock);
    c->requested = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

long ordercore_checkpointer_passes(ordercore_checkpointer *c) {
    pthread_mutex_lock(&c->lock);
    long passes = c->passes;
    pthread_mutex_unlock(&c->lock);
    return passes;
}

void ordercore_checkpointer_stop(ordercore_checkpointer *c) {
    if (c == 0) return;
    /* In a child made by fork the thread does not exist (joining it is undefined) and the connection is
     * the parent's: both are left alone. */
    if (getpid() != c->process) return;
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, 0);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    sqlite3_close_v2(c->db);
    free(c);
}
