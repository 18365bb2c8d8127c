#ifndef ORDERCORE_WAL_WRITES_H
#define ORDERCORE_WAL_WRITES_H

/* The name of a SQLite VFS over the default one that writes each frame of the write-ahead log (its
 * 24-byte header and its page) with one system call instead of two. Registered on first use (any
 * thread); NULL when it cannot be (then open with the default VFS). */
const char *ordercore_wal_writes_vfs(void);

#endif
