#ifndef ORDERCORE_VFS_H
#define ORDERCORE_VFS_H

/* The name of a SQLite VFS over the default one (vfs.c): it writes each frame of the write-ahead log
 * (its 24-byte header and its page) with one system call instead of two, and keeps a connection's
 * sub-journal (the pages a savepoint may roll back) in memory up to ORDERCORE_SUBJOURNAL_MEMORY bytes
 * instead of in a temporary file. Registered on first use (any thread); NULL when it cannot be (then
 * open with the default VFS). */
const char *ordercore_vfs(void);

/* How large a sub-journal grows in memory before it moves to a temporary file of the default VFS. */
#define ORDERCORE_SUBJOURNAL_MEMORY (16 << 20)

#endif
