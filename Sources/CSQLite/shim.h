#ifndef ORDERCORE_CSQLITE_SHIM_H
#define ORDERCORE_CSQLITE_SHIM_H
#include <sqlite3.h>

/* SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot import.
 * These wrappers make SQLite copy the bytes before the call returns, so Swift buffers may go. */
static inline int csqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}
#endif
