#ifndef ORDERCORE_CLIBPQ_SHIM_H
#define ORDERCORE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
