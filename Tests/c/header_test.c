/* Compiles ordercore.h as strict C99 and as C++11 (-Wall -Wextra -pedantic -Werror): the header must
 * stay clean in both languages. It also pins the types of the public functions. */
#include <ordercore.h>
#include <ordercore.h> /* include guard */

#if OC_VERSION_NUMBER < 1000
#error "OC_VERSION_NUMBER missing"
#endif

int (*const check_open)(const char *, oc_db **) = oc_open;
int (*const check_open_v2)(const char *, oc_db **, unsigned int) = oc_open_v2;
int (*const check_close)(oc_db *) = oc_close;
int (*const check_exec)(oc_db *, const char *, char **) = oc_exec;
void (*const check_free)(void *) = oc_free;
const char *(*const check_errmsg)(oc_db *) = oc_errmsg;
const char *(*const check_errstr)(int) = oc_errstr;
const char *(*const check_version)(void) = oc_version;
int (*const check_version_number)(void) = oc_version_number;
int (*const check_receive)(oc_db *, const char *, const char *, int64_t) = oc_stock_receive;
int (*const check_adjust)(oc_db *, const char *, const char *, int64_t, const char *) = oc_stock_adjust;
int (*const check_available)(oc_db *, const char *, const char *, int64_t *) = oc_stock_available;
int (*const check_sellable)(oc_db *, const char *, const char *, int64_t *) = oc_stock_sellable;
int (*const check_pay)(oc_db *, const char *, const char *, const char *) = oc_order_pay;
int (*const check_allocate)(oc_db *, const char *, char **) = oc_order_allocate;
int (*const check_hold)(oc_db *, const char *, const char *) = oc_order_hold;
int (*const check_release)(oc_db *, const char *, const char *) = oc_order_release;
int (*const check_ship)(oc_db *, const char *, const char *, const char *) = oc_order_ship;
int (*const check_deliver)(oc_db *, const char *, const char *) = oc_order_deliver;
int (*const check_pickup)(oc_db *, const char *) = oc_order_pickup;
int (*const check_cancel)(oc_db *, const char *, const char *) = oc_order_cancel;
int (*const check_state)(oc_db *, const char *, char **) = oc_order_state;
int (*const check_sweep)(oc_db *, int64_t *) = oc_sweep;
