#ifndef ORDERCORE_CLIBPQ_SHIM_H
#define ORDERCORE_CLIBPQ_SHIM_H
/* libpq, loaded when the first PostgreSQL database is opened: libordercore.so does not link it, so a
 * host that only uses SQLite files needs no libpq installed. The header gives the types. */
#include <dlfcn.h>
#include <stddef.h>
#include <postgresql/libpq-fe.h>

typedef struct {
    PGconn *(*connectdb)(const char *conninfo);
    ConnStatusType (*status)(const PGconn *conn);
    char *(*errorMessage)(const PGconn *conn);
    void (*finish)(PGconn *conn);
    PGresult *(*exec)(PGconn *conn, const char *query);
    PGresult *(*prepare)(PGconn *conn, const char *stmtName, const char *query, int nParams,
                         const Oid *paramTypes);
    PGresult *(*execPrepared)(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                              const int *paramLengths, const int *paramFormats, int resultFormat);
    void (*clear)(PGresult *res);
    ExecStatusType (*resultStatus)(const PGresult *res);
    char *(*resultErrorField)(const PGresult *res, int fieldcode);
    char *(*cmdTuples)(PGresult *res);
    char *(*cmdStatus)(PGresult *res);
    int (*ntuples)(const PGresult *res);
    int (*getisnull)(const PGresult *res, int tup_num, int field_num);
    char *(*getvalue)(const PGresult *res, int tup_num, int field_num);
    PGTransactionStatusType (*transactionStatus)(const PGconn *conn);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *conn, PQnoticeProcessor proc, void *arg);
    int (*enterPipelineMode)(PGconn *conn);
    int (*exitPipelineMode)(PGconn *conn);
    int (*pipelineSync)(PGconn *conn);
    int (*sendPrepare)(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes);
    int (*sendQueryPrepared)(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues,
                             const int *paramLengths, const int *paramFormats, int resultFormat);
    int (*sendQueryParams)(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                           const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                           int resultFormat);
    PGresult *(*getResult)(PGconn *conn);
} ordercore_libpq;

/* A notice processor that drops the server's notices and warnings: libpq's default prints them on the
 * host program's stderr (a library must not). */
static inline void ordercore_libpq_ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

/* Fills `pq` from libpq.so.5. Returns NULL, or why libpq cannot be used. */
static inline const char *ordercore_libpq_load(ordercore_libpq *pq) {
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return "libpq.so.5 cannot be loaded (install libpq5)";
    /* PQenterPipelineMode and friends: libpq 14 or later. */
#define ORDERCORE_PQ(field, symbol) \
    if (!(*(void **)&pq->field = dlsym(lib, #symbol))) return "libpq.so.5 lacks " #symbol;
    ORDERCORE_PQ(connectdb, PQconnectdb)
    ORDERCORE_PQ(status, PQstatus)
    ORDERCORE_PQ(errorMessage, PQerrorMessage)
    ORDERCORE_PQ(finish, PQfinish)
    ORDERCORE_PQ(exec, PQexec)
    ORDERCORE_PQ(prepare, PQprepare)
    ORDERCORE_PQ(execPrepared, PQexecPrepared)
    ORDERCORE_PQ(clear, PQclear)
    ORDERCORE_PQ(resultStatus, PQresultStatus)
    ORDERCORE_PQ(resultErrorField, PQresultErrorField)
    ORDERCORE_PQ(cmdTuples, PQcmdTuples)
    ORDERCORE_PQ(cmdStatus, PQcmdStatus)
    ORDERCORE_PQ(ntuples, PQntuples)
    ORDERCORE_PQ(getisnull, PQgetisnull)
    ORDERCORE_PQ(getvalue, PQgetvalue)
    ORDERCORE_PQ(transactionStatus, PQtransactionStatus)
    ORDERCORE_PQ(setNoticeProcessor, PQsetNoticeProcessor)
    ORDERCORE_PQ(enterPipelineMode, PQenterPipelineMode)
    ORDERCORE_PQ(exitPipelineMode, PQexitPipelineMode)
    ORDERCORE_PQ(pipelineSync, PQpipelineSync)
    ORDERCORE_PQ(sendPrepare, PQsendPrepare)
    ORDERCORE_PQ(sendQueryPrepared, PQsendQueryPrepared)
    ORDERCORE_PQ(sendQueryParams, PQsendQueryParams)
    ORDERCORE_PQ(getResult, PQgetResult)
#undef ORDERCORE_PQ
    return NULL;
}
#endif
