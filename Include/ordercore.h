/*
 * ordercore.h -- the C interface of OrderCore, an embeddable order-management engine.
 *
 * Only what this header declares is API; libordercore.so exports exactly these functions.
 *
 * Conventions (they hold for every function below unless its block says otherwise):
 *  - Every function returns OC_OK (0) or one of the OC_* codes; callers treat unknown codes as errors.
 *  - Strings passed in are NUL-terminated UTF-8. Invalid UTF-8 is refused with OC_INVALID.
 *  - Strings handed out through *_out parameters belong to the caller and are released with oc_free().
 *  - A NULL handle, a NULL required argument or a NULL required *_out pointer returns OC_MISUSE; the
 *    library never crashes the host on bad input.
 *  - A handle may be shared by several threads: calls on one handle are serialised internally. The
 *    message of the last failure (oc_errmsg) is kept per thread and per handle.
 *  - Several handles and several processes may open the same database file at once.
 *  - A handle on an SQLite file may start one thread of its own, once its write-ahead log passes 1,000
 *    pages, to checkpoint the log beside the commits. It takes no signals, oc_close stops it, and fork
 *    waits for a checkpoint under way. Open handles after fork, in the process that uses them, as with
 *    SQLite itself.
 *  - Every call that changes data runs as one transaction: it is applied completely or not at all.
 */
#ifndef ORDERCORE_H
#define ORDERCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; oc_version() and oc_version_number() give the library's. */
#define OC_VERSION "0.1.0"
#define OC_VERSION_NUMBER 1000 /* major * 1000000 + minor * 1000 + patch */

/* Result codes. The JSON error.code of oc_exec names the same condition in words (in brackets). */
#define OC_OK                 0  /* success */
#define OC_INVALID            1  /* [invalid_input] malformed JSON, unknown op or field, wrong type, bad value */
#define OC_NOT_FOUND          2  /* [not_found] unknown order, SKU or warehouse */
#define OC_CONFLICT           3  /* [conflict] illegal state transition, duplicate, reused idempotency key */
#define OC_INSUFFICIENT_STOCK 4  /* [insufficient_stock] not enough available units; nothing was changed */
#define OC_BUSY               5  /* [busy] other writers held the database past the busy timeout, or changed
                                    what the command read each time it ran: nothing changed; retry */
#define OC_FORBIDDEN          6  /* [forbidden] the actor's role may not do this */
#define OC_IO                 7  /* [io] the file cannot be opened, read or written */
#define OC_CORRUPT            8  /* [corrupt] the file is damaged or not a database */
#define OC_MISUSE             9  /* [misuse] NULL handle or argument, closed handle */
#define OC_INTERNAL          10  /* [internal] a bug in OrderCore; please report it */
#define OC_FULL              11  /* [full] the disk or database is full; nothing was changed */
#define OC_INCOMPATIBLE      12  /* [incompatible] file written by a newer OrderCore or by another program */
#define OC_IN_DOUBT          13  /* [in_doubt] PostgreSQL link lost while committing; retry, same idempotency key */

/* Flags for oc_open_v2(). */
#define OC_OPEN_SYNCHRONOUS_NORMAL 0x1 /* faster commits; the last ones may be lost on power loss (not on a crash) */

/* An open database. Opaque; create with oc_open(), release with oc_close(). */
typedef struct oc_db oc_db;

/*
 * Open (creating and migrating when needed) an OrderCore database file.
 *
 * path:   file name, or ":memory:" for a private in-memory database. The file is created if it does not
 *         exist; its directory must exist. An older OrderCore file is migrated in place.
 *         A "postgresql://" or "postgres://" URI, e.g. "postgresql://erp@db1,db2/orders?target_session_attrs=
 *         read-write", or a libpq keyword string ("host=db1 dbname=orders") opens a shared PostgreSQL
 *         database instead (docs/postgresql.md): the same commands and promises; the schema is created on
 *         first open; libpq.so.5 is loaded then.
 * db_out: receives the handle. It is set even when the open fails (then to a handle that only reports
 *         the error through oc_errmsg), so the caller always calls oc_close(*db_out).
 *
 * Commits are durable across power loss (SQLite synchronous=FULL, WAL journal).
 * Returns OC_OK, OC_MISUSE (db_out or path NULL), OC_INVALID (path not UTF-8), OC_IO (missing directory,
 * no permission, PostgreSQL server unreachable), OC_CORRUPT (not a database), OC_INCOMPATIBLE (newer OrderCore or another program's
 * SQLite file), OC_BUSY. Thread-safe.
 */
int oc_open(const char *path, oc_db **db_out);

/*
 * oc_open() with options: flags is 0 or OC_OPEN_SYNCHRONOUS_NORMAL. Same codes as oc_open().
 */
int oc_open_v2(const char *path, oc_db **db_out, unsigned int flags);

/*
 * Close a handle and free everything it holds, including messages returned by oc_errmsg.
 *
 * db: a handle from oc_open; NULL is a harmless no-op. No other thread may be using the handle.
 * Returns OC_OK.
 */
int oc_close(oc_db *db);

/*
 * Run one JSON command -- the command bus every front shares.
 *
 * request_json:      a JSON object {"op": "...", ...arguments}, with optional "at" (ISO 8601 time),
 *                    "actor" (recorded in the audit trail) and "idempotency_key" (a repeated key returns
 *                    the first result, with "replayed": true, without applying the command again).
 *                    The ops and their arguments are listed in docs/commands.md.
 * response_json_out: receives {"ok":true,"result":{...}} or {"ok":false,"error":{"code":"...",
 *                    "message":"...","details":{...}}}; release it with oc_free. May be NULL when the
 *                    caller only needs the return code (the command then skips building its result
 *                    document, which is faster; the message stays readable with oc_errmsg).
 *
 * Returns OC_OK or the code matching error.code; OC_MISUSE when db or request_json is NULL (then no
 * response is produced). Thread-safe.
 */
int oc_exec(oc_db *db, const char *request_json, char **response_json_out);

/*
 * Release a string the library returned through a *_out parameter. NULL is a harmless no-op.
 */
void oc_free(void *p);

/*
 * The message of the last failed call on this handle in this thread, or "not an error" when that call
 * succeeded. The string belongs to the library and stays valid until the next call on this handle in
 * this thread. db may be NULL (then a fixed message is returned). Thread-safe.
 */
const char *oc_errmsg(oc_db *db);

/*
 * A static English description of a result code ("insufficient stock"); unknown codes give
 * "unknown error code". Never NULL. Thread-safe.
 */
const char *oc_errstr(int code);

/* The library's version as text ("0.1.0") and as a number (OC_VERSION_NUMBER). Thread-safe. */
const char *oc_version(void);
int oc_version_number(void);

/* ---- Typed functions for the everyday path: no JSON needed. ----------------------------------------- */

/*
 * Add received units to the on-hand stock of a SKU in a warehouse (op stock.receive); writes a ledger row.
 * Orders a channel sold short of the SKU (backordered) take their units first, oldest first, before the
 * call returns: oc_stock_available and oc_stock_sellable then count only what is left.
 *
 * sku, warehouse: existing codes (create them with the sku.upsert and warehouse.upsert ops).
 * qty:            units received, > 0.
 * Returns OC_OK, OC_INVALID (qty <= 0, overflow), OC_NOT_FOUND (SKU or warehouse), OC_MISUSE, OC_BUSY,
 * OC_IO, OC_FULL. Thread-safe.
 */
int oc_stock_receive(oc_db *db, const char *sku, const char *warehouse, int64_t qty);

/*
 * Correct the on-hand stock of a SKU in a warehouse by a signed quantity (op stock.adjust), e.g. -2 for
 * units found damaged; writes a ledger row with the reason.
 *
 * qty:    units to add (> 0) or take away (< 0); not 0.
 * reason: why, in words, for the ledger (required).
 * Taking more than is on hand is refused (OC_CONFLICT) and changes nothing. Taking units that are
 * already promised to orders is allowed (the count is the physical truth) and shows as a shortfall.
 * Returns OC_OK, OC_INVALID (qty 0, empty reason, overflow), OC_CONFLICT (below zero), OC_NOT_FOUND
 * (SKU or warehouse), OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_stock_adjust(oc_db *db, const char *sku, const char *warehouse, int64_t qty, const char *reason);

/*
 * Units of a SKU that can still be promised: on hand less reserved less safety stock (op stock.get).
 *
 * warehouse:     a warehouse code, or NULL for the total over all warehouses.
 * available_out: receives the count (0 when the SKU was never stocked there).
 * Returns OC_OK, OC_NOT_FOUND (SKU or warehouse), OC_INVALID, OC_MISUSE, OC_BUSY, OC_IO. Thread-safe.
 */
int oc_stock_available(oc_db *db, const char *sku, const char *warehouse, int64_t *available_out);

/*
 * Units of a SKU a sales channel may still sell: min(available over the warehouses serving the channel,
 * the channel's remaining cap for the SKU); 0 when the channel is inactive or closed for the SKU
 * (op stock.get with a channel). A channel never registered with channel.upsert sells from every warehouse.
 *
 * sellable_out: receives the count.
 * Returns OC_OK, OC_NOT_FOUND (SKU), OC_INVALID, OC_MISUSE, OC_BUSY, OC_IO. Thread-safe.
 */
int oc_stock_sellable(oc_db *db, const char *sku, const char *channel, int64_t *sellable_out);

/* oc_order_create flags. */
#define OC_ORDER_PAID 0x1 /* the order arrives paid (a till, a channel that took the money): paid at once */
#define OC_ORDER_CASH_ON_DELIVERY 0x2 /* paid when it arrives: fulfilled unpaid, oc_order_pay when the money comes */

/*
 * Create an order (op order.create) without JSON: the common case of a channel, its order number and
 * lines, and for an order that arrives paid, its payment (the amount due, in the same transaction).
 * The rest of the order document (customer, address, discounts, fees, ...) goes through oc_exec.
 *
 * channel:      the channel's code, or NULL for "direct".
 * external_id:  the channel's order number, or NULL.
 * line_count:   the number of lines, 1 to 1,000; line i is skus[i] x qtys[i] at unit_prices[i].
 * skus, qtys, unit_prices: arrays of line_count SKU codes, quantities (> 0) and decimal unit prices in
 *               the order's currency ("19.90").
 * payment_ref:  the payment's reference (with OC_ORDER_PAID), or NULL.
 * flags:        0, OC_ORDER_PAID, OC_ORDER_CASH_ON_DELIVERY, or both.
 * order_id_out: receives the new order's id ("SO-000001"); release it with oc_free. May be NULL.
 * Returns OC_OK, OC_INSUFFICIENT_STOCK (nothing was changed), OC_NOT_FOUND (unknown SKU), OC_CONFLICT
 * (external_id or payment_ref used already, inactive channel), OC_INVALID, OC_MISUSE (a NULL array or
 * element), OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_create(oc_db *db, const char *channel, const char *external_id, size_t line_count,
                    const char *const *skus, const int64_t *qtys, const char *const *unit_prices,
                    const char *payment_ref, unsigned int flags, char **order_id_out);

/*
 * Record the payment of an unpaid order (op order.pay); its reservation stops expiring. A cash-on-delivery
 * order (OC_ORDER_CASH_ON_DELIVERY) is paid where it is, as the money comes, and stays there.
 *
 * order_id:    the order's id ("SO-000001").
 * amount:      decimal string in the order's currency ("199.00") that must equal the amount due, or
 *              NULL for the amount due. A cash-on-delivery order, or an unpaid order once it has left,
 *              takes any amount above zero up to the amount due: a part paid ahead, what the carrier
 *              remitted.
 * payment_ref: the payment provider's reference, or NULL. Paying again with the same reference is a
 *              harmless repeat (OC_OK, nothing changes).
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (already paid, cancelled, or expired unpaid), OC_INVALID
 * (amount differs from the amount due), OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_pay(oc_db *db, const char *order_id, const char *amount, const char *payment_ref);

/*
 * Choose the warehouses that ship a paid order (op order.allocate): one serving the ship-to region with
 * every unit (by priority); else the nearest with every unit when none serves the region; else a split
 * (with a transfer proposal); else a backorder with an alert. The order's reservations move to the chosen
 * warehouses and it becomes "allocated" (a backorder stays "paid"). Of an order its channel shipped in part
 * ("partially_shipped"), the units still to leave are allocated and it stays "partially_shipped". The
 * decision and its reason are stored on the order (op order.get, member "allocation").
 *
 * decision_out: receives "single", "split" or "backorder" (release with oc_free); may be NULL.
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (neither paid nor partly shipped), OC_MISUSE, OC_BUSY, OC_IO,
 * OC_FULL. Thread-safe.
 */
int oc_order_allocate(oc_db *db, const char *order_id, char **decision_out);

/*
 * Put an order on hold before anything has shipped (op order.hold); it remembers the state it left and
 * accepts only oc_order_release and oc_order_cancel until released. An unpaid order's timeout is frozen.
 *
 * reason: why, for the timeline (required).
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (shipped, finished, or held already), OC_INVALID (empty reason),
 * OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_hold(oc_db *db, const char *order_id, const char *reason);

/*
 * Release a held order back to the state it was held in (op order.release). reason may be NULL.
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (not on hold), OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_release(oc_db *db, const char *order_id, const char *reason);

/*
 * Ship every packed parcel of an order with a carrier and tracking number (op order.ship): the units
 * leave the stock, the order becomes "shipped", or "partially_shipped" while units remain. Parcels are
 * packed and verified with op order.pack first; one held by the weight check blocks shipping.
 *
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (nothing packed, a weight hold, a tracking number already used,
 * wrong state), OC_INVALID, OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_ship(oc_db *db, const char *order_id, const char *carrier, const char *tracking_no);

/*
 * Record delivery of an order's shipments (op order.deliver): the shipment with tracking_no, or every
 * undelivered one when tracking_no is NULL. The order is "delivered" once all its units are.
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (not shipped, nothing left to deliver), OC_MISUSE, OC_BUSY,
 * OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_deliver(oc_db *db, const char *order_id, const char *tracking_no);

/*
 * Hand a paid order to the buyer at the counter (op order.pickup; POS and store pickup): its reserved units
 * leave the stock (on hand and reserved both go down) and the order is completed.
 *
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (not paid, or fewer units on hand than reserved), OC_MISUSE,
 * OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_order_pickup(oc_db *db, const char *order_id);

/*
 * Cancel an order that has not shipped (op order.cancel): every reserved unit goes back to available,
 * and a paid order records the refund owed.
 *
 * reason: free text for the audit trail, or NULL.
 * Returns OC_OK, OC_NOT_FOUND, OC_CONFLICT (already cancelled or shipped), OC_MISUSE, OC_BUSY, OC_IO,
 * OC_FULL. Thread-safe.
 */
int oc_order_cancel(oc_db *db, const char *order_id, const char *reason);

/*
 * The lifecycle state of an order ("pending_payment", "paid", "cancelled", ...).
 *
 * state_out: receives the state name; release it with oc_free.
 * Returns OC_OK, OC_NOT_FOUND, OC_MISUSE, OC_BUSY, OC_IO. Thread-safe.
 */
int oc_order_state(oc_db *db, const char *order_id, char **state_out);

/*
 * Close every unpaid order whose reservation has lapsed and release its stock (op sweep). Hosts call it
 * periodically; lapsed reservations are also released lazily whenever their SKU is read or reserved.
 *
 * expired_out: receives the number of orders closed; may be NULL.
 * Returns OC_OK, OC_MISUSE, OC_BUSY, OC_IO, OC_FULL. Thread-safe.
 */
int oc_sweep(oc_db *db, int64_t *expired_out);

/* ---- Batches --------------------------------------------------------------------------------- */

/* oc_exec_batch flags. */
#define OC_BATCH_ATOMIC 0 /* all or nothing: the first failure rolls back the whole batch */
#define OC_BATCH_EACH   1 /* each command on its own: a failing one changes nothing, the others commit */

/*
 * Run many JSON commands in one transaction (one commit, one disk sync): bulk intake at disk speed.
 *
 * requests_json: a JSON array of requests as oc_exec takes them (at most 100,000).
 * flags: OC_BATCH_ATOMIC or OC_BATCH_EACH.
 * response_json_out: receives the answer; release it with oc_free. With OC_BATCH_EACH, or when every
 *   command succeeds, it is {"ok":<all succeeded>,"results":[<one oc_exec envelope per command>]}. When
 *   OC_BATCH_ATOMIC fails it is {"ok":false,"error":{...},"index":<the failing command>} and nothing
 *   was changed.
 * Returns OC_OK when the batch committed (with OC_BATCH_EACH some commands may still have failed: read
 * "results"), the failing command's code in OC_BATCH_ATOMIC mode, and OC_BUSY, OC_IO, OC_FULL when the
 * machine failed (nothing committed in either mode). OC_INVALID when requests_json is not an array.
 * Thread-safe; the handle is held for the whole batch.
 */
int oc_exec_batch(oc_db *db, const char *requests_json, unsigned int flags, char **response_json_out);

/* ---- Change feed -------------------------------------------------------------------------------- */

/*
 * Read the change feed: order state changes, each channel's sellable quantity of a SKU, alerts (op
 * events.read). Push them to the channels and the ERP, then acknowledge with oc_events_ack.
 *
 * consumer: a consumer name; with after < 0 the read starts after its acknowledged cursor (the start
 *   of the feed for a new consumer). May be NULL when after >= 0.
 * after: read events after this sequence number, or -1 to use the consumer's cursor.
 * limit: at most this many events (1..10000).
 * events_json_out: receives a JSON array of events, oldest first, each with "seq", "at", "kind"
 *   ("order", "sellable", "alert") and its fields; release it with oc_free.
 * next_out: receives the cursor to acknowledge once they are handled (the last seq read, or the
 *   cursor read after when there were none); may be NULL.
 * Returns OC_OK, OC_INVALID (limit out of range), OC_MISUSE, OC_BUSY, OC_IO. Thread-safe.
 */
int oc_events_read(oc_db *db, const char *consumer, int64_t after, int limit, char **events_json_out, int64_t *next_out);

/*
 * Acknowledge that a consumer has handled every event up to cursor (op events.ack): after a restart it
 * resumes after it. An older cursor than the one stored changes nothing.
 *
 * Returns OC_OK, OC_INVALID (cursor past the end of the feed), OC_MISUSE, OC_BUSY, OC_IO, OC_FULL.
 * Thread-safe.
 */
int oc_events_ack(oc_db *db, const char *consumer, int64_t cursor);

#ifdef __cplusplus
}
#endif

#endif /* ORDERCORE_H */
