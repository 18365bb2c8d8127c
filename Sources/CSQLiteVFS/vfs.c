/* A VFS over the default one, for two kinds of file; every other file is the default VFS's own.
 *
 * The write-ahead log: SQLite writes each frame with two calls, its header (24 bytes) and then its page,
 * frame after frame, so a commit of N pages made 2N system calls. Here the frames that follow one another
 * are gathered and written with one call: when the page of the frame that ends a transaction is in, when
 * the next write does not follow or would pass WRITE_MAX bytes, and before any other call on the file
 * (read, sync, size, lock, close, shared memory). So a commit is in the file when SQLite's write of its
 * last frame returns, before SQLite publishes it in the log's index, and a failure is that write's.
 * A write that is not part of a frame goes as it came.
 *
 * The sub-journal: the original of each page a savepoint changes, kept so it can roll back. SQLite holds
 * it in memory up to 64 KiB, then moves it to a temporary file, writing each page with two system calls;
 * a batch's channel event, in savepoints of its own, changes some 45 pages, so it spilled every time.
 * Here the file SQLite moves it to is memory too, up to ORDERCORE_SUBJOURNAL_MEMORY bytes, then a
 * temporary file of the default VFS (a savepoint over a very large change keeps memory bounded). */
#include "ordercore_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#define FRAME_HEADER 24
/* The default VFS writes at most 0x1ffff bytes a call (it masks the count; a longer write fails). */
#define WRITE_MAX 0x1ffff
/* SQLite's largest page: room kept for the page of a frame whose header a run takes. */
#define PAGE_MAX 65536

typedef struct WalFile {
    sqlite3_file base;
    sqlite3_file *real;
    unsigned char *run;        /* the frames gathered (WRITE_MAX bytes, allocated at the first frame) */
    sqlite3_int64 runAt;       /* where run[0] goes in the file */
    int held;                  /* how many bytes of run are gathered */
    int awaitingPage;          /* run ends with a frame's header; its page is the next write */
    int endsTransaction;       /* ... and that frame is a transaction's last (a commit) */
    int failed;                /* a write that failed where no error could be returned: the next call's */
} WalFile;

/* A sub-journal: in memory until it would pass ORDERCORE_SUBJOURNAL_MEMORY, then in `real`. */
typedef struct SubjournalFile {
    sqlite3_file base;
    sqlite3_file *real;
    int spilled;               /* real is open and holds the contents */
    int flags;                 /* to open real with */
    unsigned char *data;
    sqlite3_int64 size, capacity;
} SubjournalFile;

#define SPILL_PIECE (64 << 10)

/* The bytes before the default VFS's own file object, in either kind of file. */
#define LARGER(a, b) ((a) > (b) ? (a) : (b))
#define HEADER_SIZE ((int)(LARGER(sizeof(WalFile), sizeof(SubjournalFile)) + 7) / 8 * 8)

static sqlite3_vfs ourVfs;
static sqlite3_io_methods walMethods, subjournalMethods;

static int flushHeld(WalFile *f) {
    int failed = f->failed;
    f->failed = SQLITE_OK;
    if (failed != SQLITE_OK) return failed;
    if (f->held == 0) return SQLITE_OK;
    int n = f->held;
    f->held = 0;
    f->awaitingPage = 0;
    return f->real->pMethods->xWrite(f->real, f->run, n, f->runAt);
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
    sqlite3_free(w->run);
    w->run = 0;
    return rc != SQLITE_OK ? rc : rc2;
}

static int walRead(sqlite3_file *f, void *p, int n, sqlite3_int64 at) {
    FLUSH_OR_RETURN(f);
    return REAL(f)->pMethods->xRead(REAL(f), p, n, at);
}

/* A frame's header: gathered after the frames before it when it follows them and its page may still fit
 * (pages are at most PAGE_MAX bytes), else it starts a new run. */
static int walWriteHeader(WalFile *w, const unsigned char *header, sqlite3_int64 at) {
    if (w->held > 0 && (at != w->runAt + w->held || w->awaitingPage || w->held + FRAME_HEADER > WRITE_MAX - PAGE_MAX)) {
        FLUSH_OR_RETURN(w);
    }
    if (w->run == 0 && (w->run = sqlite3_malloc(WRITE_MAX)) == 0) return SQLITE_NOMEM;
    if (w->held == 0) w->runAt = at;
    memcpy(w->run + w->held, header, FRAME_HEADER);
    w->held += FRAME_HEADER;
    w->awaitingPage = 1;
    /* Bytes 4-7: the size of the database after a commit, 0 in every other frame. */
    w->endsTransaction = (header[4] | header[5] | header[6] | header[7]) != 0;
    return SQLITE_OK;
}

static int walWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 at) {
    WalFile *w = (WalFile *)f;
    if (n == FRAME_HEADER) {
        int rc = walWriteHeader(w, p, at);
        if (rc != SQLITE_NOMEM) return rc;
        /* No memory to gather in: as it came. */
    } else if (w->awaitingPage && at == w->runAt + w->held && w->held + n <= WRITE_MAX) {
        memcpy(w->run + w->held, p, (size_t)n);
        w->held += n;
        w->awaitingPage = 0;
        return w->endsTransaction ? flushHeld(w) : SQLITE_OK;
    }
    FLUSH_OR_RETURN(f);
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

static sqlite3_file *realFile(sqlite3_file *file) { return (sqlite3_file *)((char *)file + HEADER_SIZE); }

/* Moves the contents to a temporary file; if that fails they stay in memory (a savepoint can still roll
 * back) and the write that needed the room fails. */
static int subjournalSpill(SubjournalFile *j) {
    sqlite3_vfs *vfs = (sqlite3_vfs *)ourVfs.pAppData;
    int rc = vfs->xOpen(vfs, 0, j->real, j->flags, 0);
    if (rc != SQLITE_OK) return rc;
    /* In pieces, as SQLite writes: the default VFS writes at most WRITE_MAX bytes a call. */
    for (sqlite3_int64 at = 0; rc == SQLITE_OK && at < j->size; at += SPILL_PIECE) {
        int n = j->size - at < SPILL_PIECE ? (int)(j->size - at) : SPILL_PIECE;
        rc = j->real->pMethods->xWrite(j->real, j->data + at, n, at);
    }
    if (rc != SQLITE_OK) {
        j->real->pMethods->xClose(j->real);
        return rc;
    }
    j->spilled = 1;
    sqlite3_free(j->data);
    j->data = 0;
    j->size = j->capacity = 0;
    return SQLITE_OK;
}

static int subjournalClose(sqlite3_file *f) {
    SubjournalFile *j = (SubjournalFile *)f;
    sqlite3_free(j->data);
    j->data = 0;
    return j->spilled ? j->real->pMethods->xClose(j->real) : SQLITE_OK;
}

static int subjournalRead(sqlite3_file *f, void *p, int n, sqlite3_int64 at) {
    SubjournalFile *j = (SubjournalFile *)f;
    if (j->spilled) return j->real->pMethods->xRead(j->real, p, n, at);
    sqlite3_int64 have = at >= j->size ? 0 : j->size - at < n ? j->size - at : n;
    if (have > 0) memcpy(p, j->data + at, (size_t)have);
    if (have == n) return SQLITE_OK;
    memset((char *)p + have, 0, (size_t)(n - have));
    return SQLITE_IOERR_SHORT_READ;
}

static int subjournalWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 at) {
    SubjournalFile *j = (SubjournalFile *)f;
    sqlite3_int64 end = at + n;
    if (!j->spilled && end > ORDERCORE_SUBJOURNAL_MEMORY) {
        int rc = subjournalSpill(j);
        if (rc != SQLITE_OK) return rc;
    }
    if (j->spilled) return j->real->pMethods->xWrite(j->real, p, n, at);
    if (end > j->capacity) {
        sqlite3_int64 capacity = j->capacity ? j->capacity : 64 << 10;
        while (capacity < end) capacity *= 2;
        unsigned char *bigger = sqlite3_realloc64(j->data, (sqlite3_uint64)capacity);
        if (bigger == 0) return SQLITE_IOERR_NOMEM;
        j->data = bigger;
        j->capacity = capacity;
    }
    if (at > j->size) memset(j->data + j->size, 0, (size_t)(at - j->size));
    memcpy(j->data + at, p, (size_t)n);
    if (end > j->size) j->size = end;
    return SQLITE_OK;
}

/* The memory is kept for the next savepoint of the transaction; SQLite closes the file at its end. */
static int subjournalTruncate(sqlite3_file *f, sqlite3_int64 size) {
    SubjournalFile *j = (SubjournalFile *)f;
    if (j->spilled) return j->real->pMethods->xTruncate(j->real, size);
    if (size < j->size) j->size = size;
    return SQLITE_OK;
}
static int subjournalSync(sqlite3_file *f, int flags) {
    SubjournalFile *j = (SubjournalFile *)f;
    return j->spilled ? j->real->pMethods->xSync(j->real, flags) : SQLITE_OK;
}
static int subjournalFileSize(sqlite3_file *f, sqlite3_int64 *size) {
    SubjournalFile *j = (SubjournalFile *)f;
    if (j->spilled) return j->real->pMethods->xFileSize(j->real, size);
    *size = j->size;
    return SQLITE_OK;
}
/* Nobody else opens a sub-journal: its locks are granted at once. */
static int subjournalLock(sqlite3_file *f, int lock) { return SQLITE_OK; }
static int subjournalCheckReservedLock(sqlite3_file *f, int *out) {
    *out = 0;
    return SQLITE_OK;
}
static int subjournalFileControl(sqlite3_file *f, int op, void *arg) { return SQLITE_NOTFOUND; }
static int subjournalSectorSize(sqlite3_file *f) { return 512; }
static int subjournalDeviceCharacteristics(sqlite3_file *f) { return 0; }

static int subjournalOpen(sqlite3_file *file, int flags) {
    SubjournalFile *j = (SubjournalFile *)file;
    memset(j, 0, sizeof *j);
    j->real = realFile(file);
    j->flags = flags;
    j->base.pMethods = &subjournalMethods;
    return SQLITE_OK;
}

/* The log and the sub-journal are ours; every other file is the default VFS's own. */
static int ourOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
    sqlite3_vfs *real = (sqlite3_vfs *)vfs->pAppData;
    if (flags & SQLITE_OPEN_SUBJOURNAL) {
        if (outFlags) *outFlags = flags;
        return subjournalOpen(file, flags);
    }
    if (!(flags & SQLITE_OPEN_WAL)) return real->xOpen(real, name, file, flags, outFlags);
    WalFile *w = (WalFile *)file;
    memset(w, 0, sizeof *w);
    w->real = realFile(file);
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
static int vfsDelete(sqlite3_vfs *v, const char *n, int s) { return R(v)->xDelete(R(v), n, s); }
static int vfsAccess(sqlite3_vfs *v, const char *n, int f, int *o) { return R(v)->xAccess(R(v), n, f, o); }
static int vfsFullPathname(sqlite3_vfs *v, const char *n, int s, char *o) {
    return R(v)->xFullPathname(R(v), n, s, o);
}
static void *vfsDlOpen(sqlite3_vfs *v, const char *n) { return R(v)->xDlOpen(R(v), n); }
static void vfsDlError(sqlite3_vfs *v, int n, char *o) { R(v)->xDlError(R(v), n, o); }
static void (*vfsDlSym(sqlite3_vfs *v, void *h, const char *s))(void) { return R(v)->xDlSym(R(v), h, s); }
static void vfsDlClose(sqlite3_vfs *v, void *h) { R(v)->xDlClose(R(v), h); }
static int vfsRandomness(sqlite3_vfs *v, int n, char *o) { return R(v)->xRandomness(R(v), n, o); }
static int vfsSleep(sqlite3_vfs *v, int us) { return R(v)->xSleep(R(v), us); }
static int vfsCurrentTime(sqlite3_vfs *v, double *t) { return R(v)->xCurrentTime(R(v), t); }
static int vfsGetLastError(sqlite3_vfs *v, int n, char *o) { return R(v)->xGetLastError(R(v), n, o); }
static int vfsCurrentTimeInt64(sqlite3_vfs *v, sqlite3_int64 *t) { return R(v)->xCurrentTimeInt64(R(v), t); }
static int vfsSetSystemCall(sqlite3_vfs *v, const char *n, sqlite3_syscall_ptr p) {
    return R(v)->xSetSystemCall(R(v), n, p);
}
static sqlite3_syscall_ptr vfsGetSystemCall(sqlite3_vfs *v, const char *n) {
    return R(v)->xGetSystemCall(R(v), n);
}
static const char *vfsNextSystemCall(sqlite3_vfs *v, const char *n) { return R(v)->xNextSystemCall(R(v), n); }

static int registered = SQLITE_ERROR;

static void registerVfs(void) {
    sqlite3_vfs *real = sqlite3_vfs_find(0);
    if (real == 0) return;
    walMethods = (sqlite3_io_methods){
        3, walClose, walRead, walWrite, walTruncate, walSync, walFileSize, walLock, walUnlock,
        walCheckReservedLock, walFileControl, walSectorSize, walDeviceCharacteristics, walShmMap, walShmLock,
        walShmBarrier, walShmUnmap, walFetch, walUnfetch};
    subjournalMethods = (sqlite3_io_methods){
        1, subjournalClose, subjournalRead, subjournalWrite, subjournalTruncate, subjournalSync,
        subjournalFileSize, subjournalLock, subjournalLock, subjournalCheckReservedLock, subjournalFileControl,
        subjournalSectorSize, subjournalDeviceCharacteristics};
    ourVfs = (sqlite3_vfs){
        real->iVersion < 3 ? real->iVersion : 3, HEADER_SIZE + real->szOsFile, real->mxPathname, 0,
        "ordercore", real, ourOpen, vfsDelete, vfsAccess, vfsFullPathname, vfsDlOpen,
        vfsDlError, vfsDlSym, vfsDlClose, vfsRandomness, vfsSleep, vfsCurrentTime,
        vfsGetLastError, vfsCurrentTimeInt64, vfsSetSystemCall, vfsGetSystemCall,
        vfsNextSystemCall};
    registered = sqlite3_vfs_register(&ourVfs, 0);
}

const char *ordercore_vfs(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, registerVfs);
    return registered == SQLITE_OK ? ourVfs.zName : 0;
}
