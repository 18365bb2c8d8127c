#ifndef ORDERCORE_VFS_H
#define ORDERCORE_VFS_H

/* The name of a SQLite VFS over the default one (vfs.c): it writes the frames of a commit to the
 * write-ahead log with one system call instead of two a frame, and keeps a connection's
 * sub-journal (the pages a savepoint may roll back) in memory up to ORDERCORE_SUBJOURNAL_MEMORY bytes
 * instead of in a temporary file. Registered on first use (any thread); NULL when it cannot be (then
 * open with the default VFS). */
const char *ordercore_vfs(void);

/* How large a sub-journal grows in memory before it moves to a temporary file of the default VFS. */
#define ORDERCORE_SUBJOURNAL_MEMORY (16 << 20)

/* A thread with a connection of its own to a database file, that copies the write-ahead log into the
 * database (a PASSIVE checkpoint: it waits for nobody and nobody waits for it) when asked, so that the
 * connection that commits does not (checkpointer.c). */
typedef struct ordercore_checkpointer ordercore_checkpointer;

/* Opens the file at `path` (through ordercore_vfs) and starts the thread; NULL when either fails (then
 * checkpoint on the committing connection). */
ordercore_checkpointer *ordercore_checkpointer_start(const char *path);

/* Asks for a checkpoint; returns at once. Requests made while one runs make one more after it. */
void ordercore_checkpointer_request(ordercore_checkpointer *checkpointer);

/* How many checkpoints the thread has finished (tests wait for one). */
long ordercore_checkpointer_passes(ordercore_checkpointer *checkpointer);

/* Lets a running checkpoint finish, stops the thread, closes its connection and frees it. NULL is a no-op,
 * and so is a call in a child process made by fork after the start (the thread is not there). */
void ordercore_checkpointer_stop(ordercore_checkpointer *checkpointer);

#endif
