/* A VFS over the default one that joins the write-ahead log's frame header (24 bytes) with the page
 * that follows it into one write: SQLite writes each frame with two writes, so a commit of N pages makes
 * 2N system calls. A short write is held only until the very next call on the file; any other call
 * (read, sync, size, lock, close, shared memory) writes it first. Other files pass straight through. */
#include "wal_writes.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#define HELD_MAX 64

typedef struct WalFile {
    sqlite3_file base;
    sqlite3_file *real;
    sqlite3_int64 heldAt;      /* offset of the held bytes */
    int held;                  /* how many bytes are held */
    unsigned char heldBytes[HELD_MAX];
    unsigned char *joined;     /* held bytes + the next write, written as one */
    int joinedSize;
    int failed;                /* a write that failed where no error could be returned: the next call's */
} WalFile;

static sqlite3_vfs walVfs;
static sqlite3_io_methods walMethods;

static int flushHeld(WalFile *f) {
    int failed = f->failed;
    f->failed = SQLITE_OK;
    if (failed != SQLITE_OK) return failed;
    if (f->held == 0) return SQLITE_OK;
    int n = f->held;
    f->held = 0;
    return f->real->pMethods->xWrite(f->real, f->heldBytes, n, f->heldAt);
}

#define REAL(f) (((WalFile *)(f))->real)
#define FLUSH_OR_RETURN(f)                          \
    do {                                            \
        int rc_ = flushHeld((WalFile *)(f));        \
        if (rc_ != SQLITE_OK) return rc_;           \
    } while (0)

static int walClose(sqlite3_file *f) {
    WalFile *w = (WalFile *)f;
    int rc = flushHeld(w);
    int rc2 = w->real->pMethods->xClose(w->real);
    sqlite3_free(w->joined);
    w->joined = 0;
    return rc != SQLITE_OK ? rc : rc2;
}

static int walRead(sqlite3_file *f, void *p, int n, sqlite3_int64 at) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xRead(REAL(f), p, n, at);
}

static int walWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 at) {
    WalFile *w = (WalFile *)f;
    if (w->held > 0 && at == w->heldAt + w->held) {
        if (w->held + n <= HELD_MAX) {
            memcpy(w->heldBytes + w->held, p, (size_t)n);
            w->held += n;
            return SQLITE_OK;
        }
        int total = w->held + n;
        if (total > w->joinedSize) {
            unsigned char *bigger = sqlite3_realloc(w->joined, total);
            if (bigger == 0) {
                FLUSH_OR_RETURN(f);
                return w->real->pMethods->xWrite(w->real, p, n, at);
            }
            w->joined = bigger;
            w->joinedSize = total;
        }
        memcpy(w->joined, w->heldBytes, (size_t)w->held);
        memcpy(w->joined + w->held, p, (size_t)n);
        sqlite3_int64 start = w->heldAt;
        w->held = 0;
        return w->real->pMethods->xWrite(w->real, w->joined, total, start);
    }
    FLUSH_OR_RETURN(f);
    if (n <= HELD_MAX) {
        memcpy(w->heldBytes, p, (size_t)n);
        w->held = n;
        w->heldAt = at;
        return SQLITE_OK;
    }
    return w->real->pMethods->xWrite(w->real, p, n, at);
}

static int walTruncate(sqlite3_file *f, sqlite3_int64 size) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int walSync(sqlite3_file *f, int flags) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int walFileSize(sqlite3_file *f, sqlite3_int64 *size) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int walLock(sqlite3_file *f, int lock) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xLock(REAL(f), lock);
}
static int walUnlock(sqlite3_file *f, int lock) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}
static int walCheckReservedLock(sqlite3_file *f, int *out) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int walFileControl(sqlite3_file *f, int op, void *arg) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int walSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int walDeviceCharacteristics(sqlite3_file *f) {
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int walShmMap(sqlite3_file *f, int region, int size, int extend, void volatile **p) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}
static int walShmLock(sqlite3_file *f, int offset, int n, int flags) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void walShmBarrier(sqlite3_file *f) {
    ((WalFile *)f)->failed = flushHeld((WalFile *)f);
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int walShmUnmap(sqlite3_file *f, int deleteFlag) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xShmUnmap(REAL(f), deleteFlag);
}
/* A log is never memory-mapped; a file without mapping answers "not mapped" (SQLite then reads). */
static int walFetch(sqlite3_file *f, sqlite3_int64 at, int n, void **p) {
    FLUSH_OR_RETURN(f);
    if (REAL(f)->pMethods->iVersion < 3) {
        *p = 0;
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFetch(REAL(f), at, n, p);
}
static int walUnfetch(sqlite3_file *f, sqlite3_int64 at, void *p) {
    return REAL(f)->pMethods->iVersion < 3 ? SQLITE_OK : REAL(f)->pMethods->xUnfetch(REAL(f), at, p);
}

/* Only the write-ahead log is wrapped; every other file is the default VFS's own. */
static int walOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    sqlite3_vfs *real = (sqlite3_vfs *)vfs->pAppData;
    if (!(flags & SQLITE_OPEN_WAL)) return real->xOpen(real, name, file, flags, outFlags);
    WalFile *w = (WalFile *)file;
    memset(w, 0, sizeof *w);
    w->real = (sqlite3_file *)&w[1];
    int rc = real->xOpen(real, name, w->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        w->base.pMethods = 0;
        return rc;
    }
    w->base.pMethods = &walMethods;
    return SQLITE_OK;
}

/* The VFS methods that are not about one file: the default VFS's. */
#define R(v) ((sqlite3_vfs *)(v)->pAppData)
static int walVfsDelete(sqlite3_vfs *v, const char *n, int s) { return R(v)->xDelete(R(v), n, s); }
static int walVfsAccess(sqlite3_vfs *v, const char *n, int f, int *o) { return R(v)->xAccess(R(v), n, f, o); }
static int walVfsFullPathname(sqlite3_vfs *v, const char *n, int s, char *o) {
    return R(v)->xFullPathname(R(v), n, s, o);
}
static void *walVfsDlOpen(sqlite3_vfs *v, const char *n) { return R(v)->xDlOpen(R(v), n); }
static void walVfsDlError(sqlite3_vfs *v, int n, char *o) { R(v)->xDlError(R(v), n, o); }
static void (*walVfsDlSym(sqlite3_vfs *v, void *h, const char *s))(void) { return R(v)->xDlSym(R(v), h, s); }
static void walVfsDlClose(sqlite3_vfs *v, void *h) { R(v)->xDlClose(R(v), h); }
static int walVfsRandomness(sqlite3_vfs *v, int n, char *o) { return R(v)->xRandomness(R(v), n, o); }
static int walVfsSleep(sqlite3_vfs *v, int us) { return R(v)->xSleep(R(v), us); }
static int walVfsCurrentTime(sqlite3_vfs *v, double *t) { return R(v)->xCurrentTime(R(v), t); }
static int walVfsGetLastError(sqlite3_vfs *v, int n, char *o) { return R(v)->xGetLastError(R(v), n, o); }
static int walVfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *t) { return R(v)->xCurrentTimeInt64(R(v), t); }
static int walVfsSetSystemCall(sqlite3_vfs *v, const char *n, sqlite3_syscall_ptr p) {
    return R(v)->xSetSystemCall(R(v), n, p);
}
static sqlite3_syscall_ptr walVfsGetSystemCall(sqlite3_vfs *v, const char *n) {
    return R(v)->xGetSystemCall(R(v), n);
}
static const char *walVfsNextSystemCall(sqlite3_vfs *v, const char *n) { return R(v)->xNextSystemCall(R(v), n); }

static int registered = SQLITE_ERROR;

static void registerVfs(void) {
    sqlite3_vfs *real = sqlite3_vfs_find(0);
    if (real == 0) return;
    walMethods = (sqlite3_io_methods){
        3, walClose, walRead, walWrite, walTruncate, walSync, walFileSize, walLock, walUnlock,
        walCheckReservedLock, walFileControl, walSectorSize, walDeviceCharacteristics, walShmMap, walShmLock,
        walShmBarrier, walShmUnmap, walFetch, walUnfetch};
    walVfs = (sqlite3_vfs){
        real->iVersion < 3 ? real->iVersion : 3, (int)sizeof(WalFile) + real->szOsFile, real->mxPathname, 0,
        "ordercore-wal-writes", real, walOpen, walVfsDelete, walVfsAccess, walVfsFullPathname, walVfsDlOpen,
        walVfsDlError, walVfsDlSym, walVfsDlClose, walVfsRandomness, walVfsSleep, walVfsCurrentTime,
        walVfsGetLastError, walVfsCurrentTimeInt64, walVfsSetSystemCall, walVfsGetSystemCall,
        walVfsNextSystemCall};
    registered = sqlite3_vfs_register(&walVfs, 0);
}

const char *ordercore_wal_writes_vfs(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, registerVfs);
    return registered == SQLITE_OK ? walVfs.zName : 0;
}
