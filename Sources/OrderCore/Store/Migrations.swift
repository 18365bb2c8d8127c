/// Named, ordered schema migrations. Each one runs once, in order, inside the same write transaction
/// that records its name in `schema_migrations`. Never edit a released migration: add a new one.
struct Migration {
    let name: String
    let sql: String
    /// What PostgreSQL runs instead of `sql` translated (`SQLDialect.schema`), when the step is its own.
    var postgresql: String?
    /// Rows rewritten after the SQL, by code the SQL cannot express (in the same transaction).
    var backfill: (@Sendable (Database) throws -> Void)?

    static let all: [Migration] = [
        foundation, ledgerNote, countsAndTransfers, channels, policies, stockWatch, allocation, fulfillment,
        tracking, waves, statusAnchor, intake, actors, returns, risk, reports, health, roles, channelState, lookup,
        healthDaily, valuation, openAlerts, idSequences, cacheEpoch, guardRefusal, emailIndex, countDomains,
        profileEpoch, paymentsByTime, inboxAwaiting, cashOnDelivery, refundWriteOff, owingOnDelivery,
        channelUpdatedAt, refundedCancelled, returnBuyers, openTransfers, returnsByCustomerUnused, transferLosses,
        backorderedLines, owedLeft, cancelledUnallocated, pickedHeld, buyerKeys, paymentTerms, refundsOwed,
        shippingPoints, lineRefs, disputes, riskReports, trackingSubtags, pickupWatch, parcelRefs, unmatchedTracking,
    ]

    /// Applies what is missing; refuses a file migrated by a newer OrderCore, or an SQLite file that
    /// belongs to some other program.
    static func migrate(_ db: Database) throws {
        // Most opens find every migration applied: a read says so without waiting for the writers (on
        // PostgreSQL, a host that connects does not stop the others' commands while it looks).
        let current = try db.transaction(.read) { try applied(db) == all.map(\.name) }
        if current { return }
        try db.transaction(.write) {
            let found = try applied(db)
            if found == nil {
                try refuseForeign(db)
                try db.execute(
                    db.dialect.schema(
                        "CREATE TABLE schema_migrations(seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at "
                            + "INTEGER NOT NULL)"))
            }
            let applied = found ?? []
            for (i, name) in applied.enumerated() where i >= all.count || all[i].name != name {
                throw OrderCoreError(
                    .incompatible,
                    "'\(db.path)' was written by a newer OrderCore (unknown migration '\(name)'); this is OrderCore "
                        + "\(Version.string), upgrade the library",
                    details: ["migration": .string(name), "library_version": .string(Version.string)])
            }
            for (i, migration) in all.enumerated().dropFirst(applied.count) {
                try migration.apply(db)
                try db.run(
                    "INSERT INTO schema_migrations(seq, name, applied_at) VALUES (?, ?, ?)",
                    .int(Int64(i + 1)), .text(migration.name), .int(Timestamp.now()))
            }
        }
    }

    /// Refuses a database with tables but no OrderCore schema: another program's, left as it was (checked
    /// before anything is written to a file, its journal mode included: `Database.init`).
    static func refuseForeign(_ db: Database) throws {
        guard try applied(db) == nil,
            let foreign = try db.first("\(db.dialect.tablesQuery) LIMIT 1", map: { $0.text(0) })
        else { return }
        throw OrderCoreError(
            .incompatible,
            "'\(db.path)' is a database of another program (it has table '\(foreign)' but no OrderCore schema)")
    }

    /// Runs the step on `db` (its SQL, then its backfill), without recording it.
    func apply(_ db: Database) throws {
        try db.execute(db.dialect == .postgresql ? postgresql ?? db.dialect.schema(sql) : sql)
        try backfill?(db)
    }

    /// The names of the migrations the database has, in order; nil when it has no OrderCore schema yet.
    private static func applied(_ db: Database) throws -> [String]? {
        let hasTable =
            try db.first("SELECT 1 FROM (\(db.dialect.tablesQuery)) t WHERE name = 'schema_migrations'") { _ in true }
            ?? false
        guard hasTable else { return nil }
        var names: [String] = []
        try db.rows("SELECT name FROM schema_migrations ORDER BY seq") { names.append($0.text(0)) }
        return names
    }

    // MARK: - 0001

    static let foundation = Migration(
        name: "0001_foundation",
        sql: """
            CREATE TABLE config(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

            CREATE TABLE skus(
                sku TEXT PRIMARY KEY, name TEXT NOT NULL, barcode TEXT UNIQUE, weight_g INTEGER,
                active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE warehouses(
                warehouse TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT, priority INTEGER NOT NULL DEFAULT 100,
                active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;

            -- Balances per SKU and warehouse. available = on_hand - reserved - safety, never below zero:
            -- every reservation is a conditional UPDATE that only matches while enough is available.
            CREATE TABLE stock(
                sku TEXT NOT NULL REFERENCES skus(sku), warehouse TEXT NOT NULL REFERENCES warehouses(warehouse),
                on_hand INTEGER NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
                reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                quarantine INTEGER NOT NULL DEFAULT 0 CHECK (quarantine >= 0),
                safety INTEGER NOT NULL DEFAULT 0 CHECK (safety >= 0),
                PRIMARY KEY (sku, warehouse)
            ) WITHOUT ROWID;

            -- Append-only: every balance change is a row; balances always equal the sums of their rows.
            CREATE TABLE ledger(
                id INTEGER PRIMARY KEY, at INTEGER NOT NULL, sku TEXT NOT NULL, warehouse TEXT NOT NULL,
                bucket TEXT NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL,
                ref_type TEXT, ref_id TEXT, actor TEXT
            );
            CREATE INDEX ledger_by_sku ON ledger(sku, warehouse, id);
            CREATE INDEX ledger_by_ref ON ledger(ref_type, ref_id);
            CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT,
                'the ledger is append-only'); END;
            CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT,
                'the ledger is append-only'); END;

            CREATE TABLE orders(
                id INTEGER PRIMARY KEY, order_id TEXT NOT NULL UNIQUE,
                channel TEXT NOT NULL, external_id TEXT, state TEXT NOT NULL, held_from TEXT,
                currency TEXT NOT NULL, placed_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                expires_at INTEGER,
                subtotal INTEGER NOT NULL, line_discount_total INTEGER NOT NULL, discount_total INTEGER NOT NULL,
                shipping_fee INTEGER NOT NULL, shipping_tax INTEGER NOT NULL, tax_total INTEGER NOT NULL,
                taxes_included INTEGER NOT NULL, grand_total INTEGER NOT NULL,
                paid_total INTEGER NOT NULL DEFAULT 0, refund_due INTEGER NOT NULL DEFAULT 0,
                cancel_reason TEXT,
                customer_id TEXT, customer_phone TEXT, customer_email TEXT, customer_name TEXT,
                device_id TEXT, ip TEXT, account_created_at INTEGER,
                ship_name TEXT, ship_phone TEXT, ship_country TEXT, ship_region TEXT, ship_city TEXT,
                ship_district TEXT, ship_line1 TEXT, ship_line2 TEXT, ship_postal_code TEXT,
                tags TEXT, note TEXT,
                UNIQUE (channel, external_id)
            );
            CREATE INDEX orders_by_state ON orders(state, id);
            CREATE INDEX orders_by_channel ON orders(channel, id);
            CREATE INDEX orders_by_expiry ON orders(expires_at) WHERE expires_at IS NOT NULL;

            CREATE TABLE order_lines(
                order_rowid INTEGER NOT NULL REFERENCES orders(id), line_no INTEGER NOT NULL,
                sku TEXT NOT NULL, name TEXT, qty INTEGER NOT NULL CHECK (qty > 0),
                unit_price INTEGER NOT NULL, line_discount INTEGER NOT NULL, tax INTEGER NOT NULL,
                qty_reserved INTEGER NOT NULL DEFAULT 0, qty_allocated INTEGER NOT NULL DEFAULT 0,
                qty_picked INTEGER NOT NULL DEFAULT 0, qty_packed INTEGER NOT NULL DEFAULT 0,
                qty_shipped INTEGER NOT NULL DEFAULT 0, qty_delivered INTEGER NOT NULL DEFAULT 0,
                qty_cancelled INTEGER NOT NULL DEFAULT 0, qty_returned INTEGER NOT NULL DEFAULT 0,
                qty_refunded INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (order_rowid, line_no)
            ) WITHOUT ROWID;

            CREATE TABLE order_discounts(
                order_rowid INTEGER NOT NULL REFERENCES orders(id), seq INTEGER NOT NULL,
                kind TEXT NOT NULL, code TEXT, amount INTEGER NOT NULL,
                PRIMARY KEY (order_rowid, seq)
            ) WITHOUT ROWID;

            -- Units promised to an order line in one warehouse. Active ones are counted in stock.reserved.
            CREATE TABLE reservations(
                id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id), line_no INTEGER NOT NULL,
                sku TEXT NOT NULL, warehouse TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty > 0),
                expires_at INTEGER, state TEXT NOT NULL DEFAULT 'active'
            );
            CREATE INDEX reservations_by_order ON reservations(order_rowid);
            CREATE INDEX reservations_expiring ON reservations(sku, expires_at) WHERE state = 'active'
                AND expires_at IS NOT NULL;

            CREATE TABLE payments(
                id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id),
                payment_ref TEXT UNIQUE, amount INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT
            );
            CREATE INDEX payments_by_order ON payments(order_rowid);

            -- The audit timeline; the global id orders every event of every order.
            CREATE TABLE order_events(
                id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id), seq INTEGER NOT NULL,
                at INTEGER NOT NULL, actor TEXT, from_state TEXT, to_state TEXT NOT NULL, command TEXT NOT NULL,
                details TEXT,
                UNIQUE (order_rowid, seq)
            );

            -- First successful response per idempotency key.
            CREATE TABLE idempotency(
                key TEXT PRIMARY KEY, op TEXT NOT NULL, request_hash INTEGER NOT NULL,
                response TEXT NOT NULL, at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)

    // MARK: - 0002

    /// Why a stock adjustment happened, in the words of whoever made it.
    static let ledgerNote = Migration(
        name: "0002_ledger_note",
        sql: """
            ALTER TABLE ledger ADD COLUMN note TEXT;
            """)

    // MARK: - 0003

    /// Unit costs (to value count variances), cycle counts and transfers between warehouses.
    static let countsAndTransfers = Migration(
        name: "0003_counts_transfers",
        sql: """
            ALTER TABLE skus ADD COLUMN unit_cost INTEGER;
            ALTER TABLE skus ADD COLUMN cost_currency TEXT;

            CREATE TABLE counts(
                id INTEGER PRIMARY KEY, count_id TEXT NOT NULL UNIQUE,
                warehouse TEXT NOT NULL REFERENCES warehouses(warehouse), at INTEGER NOT NULL, actor TEXT,
                    reference TEXT
            );
            CREATE TABLE count_lines(
                count_rowid INTEGER NOT NULL REFERENCES counts(id), sku TEXT NOT NULL,
                expected INTEGER NOT NULL, counted INTEGER NOT NULL CHECK (counted >= 0),
                PRIMARY KEY (count_rowid, sku)
            ) WITHOUT ROWID;

            -- Units leave the source when a transfer is created and arrive when (part of) it is received;
            -- in between they are in transit, counted in neither warehouse's on-hand.
            CREATE TABLE transfers(
                id INTEGER PRIMARY KEY, transfer_id TEXT NOT NULL UNIQUE,
                from_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse),
                    to_warehouse TEXT NOT NULL REFERENCES warehouses(warehouse),
                state TEXT NOT NULL, reference TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
            );
            CREATE TABLE transfer_lines(
                transfer_rowid INTEGER NOT NULL REFERENCES transfers(id), sku TEXT NOT NULL,
                qty INTEGER NOT NULL CHECK (qty > 0), received INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0
                    AND received <= qty),
                PRIMARY KEY (transfer_rowid, sku)
            ) WITHOUT ROWID;
            CREATE INDEX transfer_lines_open ON transfer_lines(sku) WHERE received < qty;
            """)

    // MARK: - 0004

    /// Sales channels: which warehouses serve them, and per SKU a cap (units the channel may sell) and
    /// an on/off switch. `used` counts the units of the channel's live reservations and sales against
    /// the cap; a reservation remembers whether it was counted, so its release gives back exactly that.
    static let channels = Migration(
        name: "0004_channels",
        sql: """
            CREATE TABLE channels(
                channel TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
                created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE channel_warehouses(
                channel TEXT NOT NULL REFERENCES channels(channel),
                    warehouse TEXT NOT NULL REFERENCES warehouses(warehouse),
                PRIMARY KEY (channel, warehouse)
            ) WITHOUT ROWID;
            CREATE TABLE channel_skus(
                channel TEXT NOT NULL REFERENCES channels(channel), sku TEXT NOT NULL REFERENCES skus(sku),
                cap INTEGER CHECK (cap IS NULL OR cap >= 0), used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
                open INTEGER NOT NULL DEFAULT 1, closed_reason TEXT,
                PRIMARY KEY (channel, sku)
            ) WITHOUT ROWID;
            ALTER TABLE reservations ADD COLUMN channel_counted INTEGER NOT NULL DEFAULT 0;
            """)

    // MARK: - 0005

    /// Reservation policies recorded per order (so a later change of the setting never confuses an open
    /// order): when its stock is reserved, the warehouse it is pinned to, and for pre-sales the deposit
    /// and when the balance is due.
    static let policies = Migration(
        name: "0005_reservation_policies",
        sql: """
            ALTER TABLE orders ADD COLUMN reserve_at TEXT NOT NULL DEFAULT 'order';
            ALTER TABLE orders ADD COLUMN deposit INTEGER;
            ALTER TABLE orders ADD COLUMN balance_due_at INTEGER;
            ALTER TABLE orders ADD COLUMN warehouse TEXT;
            """)

    // MARK: - 0006

    /// What sells (units of paid orders per SKU, warehouse and business day), low-stock alerts, and how
    /// far the sweep has looked through the ledger (the SKUs changed since are those it looks at next).
    static let stockWatch = Migration(
        name: "0006_stock_watch",
        sql: """
            CREATE TABLE sales_daily(
                sku TEXT NOT NULL, warehouse TEXT NOT NULL, day INTEGER NOT NULL, units INTEGER NOT NULL,
                PRIMARY KEY (sku, warehouse, day)
            ) WITHOUT ROWID;
            CREATE INDEX sales_daily_by_day ON sales_daily(day);
            CREATE TABLE alerts(
                id INTEGER PRIMARY KEY, kind TEXT NOT NULL, sku TEXT, warehouse TEXT,
                opened_at INTEGER NOT NULL, cleared_at INTEGER, details TEXT
            );
            CREATE UNIQUE INDEX alerts_open ON alerts(kind, sku) WHERE cleared_at IS NULL;
            CREATE TABLE watermarks(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            ALTER TABLE orders ADD COLUMN paid_at INTEGER;
            """)

    // MARK: - 0007

    /// Which ship-to regions each warehouse serves and how far it is from others; the allocation
    /// decision of each order; alerts about an order (backorders).
    static let allocation = Migration(
        name: "0007_allocation",
        sql: """
            CREATE TABLE warehouse_regions(
                warehouse TEXT NOT NULL REFERENCES warehouses(warehouse), region TEXT NOT NULL,
                serves INTEGER NOT NULL DEFAULT 0, distance INTEGER CHECK (distance IS NULL OR distance >= 0),
                PRIMARY KEY (warehouse, region)
            ) WITHOUT ROWID;
            ALTER TABLE orders ADD COLUMN allocation TEXT;
            ALTER TABLE alerts ADD COLUMN order_id TEXT;
            """)

    // MARK: - 0008

    /// Holds (why), when each order entered its state (for stuck orders), packed parcels with their
    /// weight check, and shipments.
    static let fulfillment = Migration(
        name: "0008_fulfillment",
        sql: """
            ALTER TABLE orders ADD COLUMN hold_reason TEXT;
            ALTER TABLE orders ADD COLUMN delivered_at INTEGER;
            ALTER TABLE orders ADD COLUMN state_since INTEGER;
            UPDATE orders SET state_since = updated_at;
            CREATE INDEX orders_by_state_since ON orders(state, state_since);
            CREATE TABLE parcels(
                id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id), seq INTEGER NOT NULL,
                state TEXT NOT NULL, weight_g INTEGER, expected_g INTEGER, packed_at INTEGER NOT NULL,
                override_by TEXT, override_reason TEXT, shipment_rowid INTEGER,
                UNIQUE (order_rowid, seq)
            );
            CREATE TABLE parcel_lines(
                parcel_rowid INTEGER NOT NULL REFERENCES parcels(id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
                qty INTEGER NOT NULL CHECK (qty > 0),
                PRIMARY KEY (parcel_rowid, line_no)
            ) WITHOUT ROWID;
            CREATE TABLE shipments(
                id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id), seq INTEGER NOT NULL,
                carrier TEXT NOT NULL, tracking_no TEXT NOT NULL, state TEXT NOT NULL,
                shipped_at INTEGER NOT NULL, delivered_at INTEGER,
                UNIQUE (order_rowid, seq), UNIQUE (carrier, tracking_no)
            );
            """)

    // MARK: - 0009

    /// Carrier tracking events, kept as they arrive (also for tracking numbers no shipment has), what
    /// they told about each shipment, and alerts about things that are neither a SKU nor an order.
    static let tracking = Migration(
        name: "0009_tracking",
        sql: """
            ALTER TABLE shipments ADD COLUMN picked_up_at INTEGER;
            ALTER TABLE shipments ADD COLUMN last_event_at INTEGER;
            CREATE TABLE tracking_events(
                id INTEGER PRIMARY KEY, carrier TEXT NOT NULL, tracking_no TEXT NOT NULL,
                    shipment_rowid INTEGER REFERENCES shipments(id),
                status TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '', location TEXT,
                    received_at INTEGER NOT NULL,
                UNIQUE (carrier, tracking_no, status, time, message)
            );
            CREATE INDEX shipments_awaiting_pickup ON shipments(shipped_at) WHERE picked_up_at IS NULL
                AND state != 'delivered';
            ALTER TABLE alerts ADD COLUMN ref TEXT;
            """)

    // MARK: - 0010

    /// Where each SKU lies in a warehouse, what carrier and priority an order asked for, and waves of
    /// orders picked together.
    static let waves = Migration(
        name: "0010_waves",
        sql: """
            ALTER TABLE stock ADD COLUMN location TEXT;
            ALTER TABLE orders ADD COLUMN carrier TEXT;
            ALTER TABLE orders ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE waves(
                id INTEGER PRIMARY KEY, wave_id TEXT NOT NULL UNIQUE,
                    warehouse TEXT NOT NULL REFERENCES warehouses(warehouse),
                carrier TEXT, cutoff INTEGER, created_at INTEGER NOT NULL, actor TEXT
            );
            CREATE TABLE wave_orders(
                wave_rowid INTEGER NOT NULL REFERENCES waves(id),
                    order_rowid INTEGER NOT NULL UNIQUE REFERENCES orders(id),
                PRIMARY KEY (wave_rowid, order_rowid)
            ) WITHOUT ROWID;
            """)

    // MARK: - 0011

    /// The status anchor: how each source system (a channel, a WMS) names order states, as data, and
    /// the last status each source reported for each order.
    static let statusAnchor = Migration(
        name: "0011_status_anchor",
        sql: """
            CREATE TABLE status_mappings(source TEXT PRIMARY KEY, mapping TEXT NOT NULL,
                updated_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE source_statuses(
                order_rowid INTEGER NOT NULL REFERENCES orders(id), source TEXT NOT NULL,
                reported TEXT NOT NULL, state TEXT, at INTEGER NOT NULL,
                PRIMARY KEY (order_rowid, source)
            ) WITHOUT ROWID;
            CREATE INDEX source_statuses_by_source ON source_statuses(source);
            """)

    // MARK: - 0012

    /// Channel intake and sync: the inbox of raw channel events (applied or dead letters), channel
    /// profiles written by users, the change feed with its consumers' cursors, the sellable quantity
    /// last published per channel and SKU, warnings and the duplicate fingerprint on orders, units a
    /// channel sold that stock could not cover (backorders), and refunds made outside OrderCore.
    static let intake = Migration(
        name: "0012_intake_and_feed",
        sql: """
            CREATE TABLE inbox(
                id INTEGER PRIMARY KEY, channel TEXT NOT NULL, event_type TEXT NOT NULL, event_id TEXT,
                payload_hash INTEGER NOT NULL, payload TEXT NOT NULL, received_at INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('applied', 'dead')), outcome TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX inbox_by_event ON inbox(channel, event_type, event_id) WHERE event_id IS NOT NULL;
            CREATE INDEX inbox_by_hash ON inbox(channel, payload_hash, received_at);
            CREATE INDEX inbox_dead ON inbox(id) WHERE state = 'dead';
            CREATE TABLE channel_profiles(profile TEXT PRIMARY KEY, definition TEXT NOT NULL,
                updated_at INTEGER NOT NULL) WITHOUT ROWID;
            ALTER TABLE channels ADD COLUMN profile TEXT;

            CREATE TABLE feed(seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
            CREATE TABLE feed_consumers(consumer TEXT PRIMARY KEY, cursor INTEGER NOT NULL,
                updated_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE channel_stock(
                channel TEXT NOT NULL, sku TEXT NOT NULL, sellable INTEGER NOT NULL, PRIMARY KEY (channel, sku)
            ) WITHOUT ROWID;

            ALTER TABLE orders ADD COLUMN warnings TEXT;
            ALTER TABLE orders ADD COLUMN fingerprint TEXT;
            CREATE INDEX orders_by_fingerprint ON orders(fingerprint, placed_at) WHERE fingerprint IS NOT NULL;
            ALTER TABLE order_lines ADD COLUMN qty_backordered INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE payments ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment';
            ALTER TABLE payments ADD COLUMN reason TEXT;
            """)

    // MARK: - 0013

    /// The people (and programs) that act on orders, with a role that decides what they may approve.
    static let actors = Migration(
        name: "0013_actors",
        sql: """
            CREATE TABLE actors(
                actor TEXT PRIMARY KEY, name TEXT, role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor',
                    'admin')),
                active INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """)

    // MARK: - 0014

    /// Returns (RMAs) linked to orders and their lines, what arrived per grade, refunds per tender, and
    /// each return's timeline.
    static let returns = Migration(
        name: "0014_returns",
        sql: """
            CREATE TABLE returns(
                id INTEGER PRIMARY KEY, return_id TEXT NOT NULL UNIQUE,
                    order_rowid INTEGER NOT NULL REFERENCES orders(id),
                state TEXT NOT NULL, reason TEXT NOT NULL, seller_fault INTEGER NOT NULL, customer TEXT, owner TEXT,
                note TEXT, flags TEXT NOT NULL DEFAULT '[]', replacement_order_id TEXT, price_difference INTEGER,
                created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, state_since INTEGER NOT NULL
            );
            CREATE INDEX returns_by_order ON returns(order_rowid);
            CREATE INDEX returns_by_state ON returns(state, state_since);
            CREATE INDEX returns_by_customer ON returns(customer) WHERE customer IS NOT NULL;
            CREATE TABLE return_lines(
                return_rowid INTEGER NOT NULL REFERENCES returns(id), line_no INTEGER NOT NULL, sku TEXT NOT NULL,
                requested INTEGER NOT NULL CHECK (requested > 0), resellable INTEGER NOT NULL DEFAULT 0,
                    damaged INTEGER NOT NULL DEFAULT 0,
                wrong_item INTEGER NOT NULL DEFAULT 0, empty INTEGER NOT NULL DEFAULT 0,
                    refunded INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (return_rowid, line_no)
            ) WITHOUT ROWID;
            CREATE TABLE return_refunds(
                id INTEGER PRIMARY KEY, return_rowid INTEGER NOT NULL REFERENCES returns(id),
                    refund_ref TEXT NOT NULL UNIQUE,
                cash INTEGER NOT NULL, points INTEGER NOT NULL, shipping INTEGER NOT NULL, coupon INTEGER NOT NULL,
                units TEXT NOT NULL, before_receipt TEXT, at INTEGER NOT NULL, actor TEXT
            );
            CREATE INDEX return_refunds_by_return ON return_refunds(return_rowid);
            CREATE TABLE return_events(
                id INTEGER PRIMARY KEY, return_rowid INTEGER NOT NULL REFERENCES returns(id), at INTEGER NOT NULL,
                    actor TEXT,
                from_state TEXT, to_state TEXT NOT NULL, command TEXT NOT NULL, details TEXT
            );
            CREATE INDEX return_events_by_return ON return_events(return_rowid, id);
            """)

    // MARK: - 0015

    /// Risk: each order's score, decision and reasons; versioned rule sets; allow and block lists; and
    /// the indexes the velocity rules count with (per phone, email, device and IP over a time window;
    /// device and IP cover the customer too, so counting customers never reads the orders themselves).
    static let risk = Migration(
        name: "0015_risk",
        sql: """
            ALTER TABLE orders ADD COLUMN risk TEXT;
            ALTER TABLE orders ADD COLUMN risk_decision TEXT;
            CREATE INDEX orders_by_risk_queue ON orders(risk_decision, id) WHERE risk_decision IN ('review', 'hold');
            CREATE INDEX orders_by_phone ON orders(customer_phone, placed_at) WHERE customer_phone IS NOT NULL;
            CREATE INDEX orders_by_email ON orders(customer_email, placed_at) WHERE customer_email IS NOT NULL;
            CREATE INDEX orders_by_device ON orders(device_id, placed_at, customer_id) WHERE device_id IS NOT NULL;
            CREATE INDEX orders_by_ip ON orders(ip, placed_at, customer_id) WHERE ip IS NOT NULL;
            CREATE INDEX orders_by_customer ON orders(customer_id) WHERE customer_id IS NOT NULL;
            CREATE TABLE risk_rulesets(version INTEGER PRIMARY KEY, rules TEXT NOT NULL, created_at INTEGER NOT NULL,
                actor TEXT);
            CREATE TABLE risk_lists(
                kind TEXT NOT NULL, value TEXT NOT NULL, list TEXT NOT NULL CHECK (list IN ('allow', 'block')),
                note TEXT, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, value)
            ) WITHOUT ROWID;
            """)

    // MARK: - 0016

    /// Reports: sales are read by when orders were paid and refunds by when they were made.
    static let reports = Migration(
        name: "0016_reports",
        sql: """
            CREATE INDEX orders_by_paid_at ON orders(paid_at) WHERE paid_at IS NOT NULL;
            CREATE INDEX payments_by_kind_at ON payments(kind, at);
            """)

    // MARK: - 0017

    /// The health report: refused commands worth counting (a failed pack check rolls its transaction
    /// back, so it is kept here, outside it), and the indexes that read a period's packing, shipping and
    /// returns, and each person's changes, without reading everything else.
    static let health = Migration(
        name: "0017_health",
        sql: """
            CREATE TABLE command_failures(
                id INTEGER PRIMARY KEY, at INTEGER NOT NULL, op TEXT NOT NULL, order_id TEXT, actor TEXT,
                code TEXT NOT NULL, reason TEXT, message TEXT NOT NULL
            );
            CREATE INDEX command_failures_by_op ON command_failures(op, at);
            CREATE INDEX parcels_by_packed_at ON parcels(packed_at);
            CREATE INDEX shipments_by_shipped_at ON shipments(shipped_at);
            CREATE INDEX returns_by_created_at ON returns(created_at);
            CREATE INDEX order_events_by_actor ON order_events(actor, at) WHERE actor <> 'system';
            CREATE INDEX ledger_by_actor ON ledger(actor, at) WHERE actor <> 'system';
            """)

    // MARK: - 0018

    /// Whether an actor has ever been an admin: the first admin of a database may be registered by
    /// anyone, and only while no admin has ever existed (deactivating or demoting the admins must not
    /// reopen that window).
    static let roles = Migration(
        name: "0018_roles",
        sql: """
            ALTER TABLE actors ADD COLUMN was_admin INTEGER NOT NULL DEFAULT 0;
            UPDATE actors SET was_admin = 1 WHERE role = 'admin';
            """)

    // MARK: - 0019

    /// Whether orders a channel reports already shipped by the merchant (backfills) take their units
    /// from the serving warehouse when they arrive; an order's fees (gift wrap, payment surcharge:
    /// WooCommerce `fee_lines`), part of its grand total.
    static let channelState = Migration(
        name: "0019_channel_state",
        sql: """
            ALTER TABLE channels ADD COLUMN shipped_orders_move_stock INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE orders ADD COLUMN fee_total INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE orders ADD COLUMN fees TEXT;
            """)

    // MARK: - 0020

    /// Customer service finds orders by the channel's order number and by a tracking number alone
    /// (the unique keys lead with the channel and the carrier), and by e-mail in any letter case; the
    /// funnel reads the orders placed in a period; who packed each parcel (`report.pickers`); a SKU's
    /// category (the stock board and replenishment); when a channel's orders reserve stock; who owns an
    /// order's problems; where a warehouse is (microdegrees), for the transfer radius; channel events by
    /// time (`report.intake`).
    static let lookup = Migration(
        name: "0020_lookup",
        sql: """
            CREATE INDEX orders_by_external_id ON orders(external_id) WHERE external_id IS NOT NULL;
            CREATE INDEX shipments_by_tracking_no ON shipments(tracking_no);
            CREATE INDEX orders_by_placed_at ON orders(placed_at);
            ALTER TABLE parcels ADD COLUMN packed_by TEXT;
            ALTER TABLE skus ADD COLUMN category TEXT;
            ALTER TABLE channels ADD COLUMN reserve_at TEXT;
            ALTER TABLE orders ADD COLUMN owner TEXT;
            ALTER TABLE warehouses ADD COLUMN latitude_micro INTEGER;
            ALTER TABLE warehouses ADD COLUMN longitude_micro INTEGER;
            CREATE INDEX inbox_by_received_at ON inbox(received_at);
            CREATE INDEX orders_by_email_nocase ON orders(lower(customer_email)) WHERE customer_email IS NOT NULL;
            """)

    // MARK: - 0021

    /// Each business day's health scores, overall and per channel, warehouse and ship-to region, kept
    /// by the sweep: a component below grade C for `health.degraded_days` days raises `health_degraded`.
    static let healthDaily = Migration(
        name: "0021_health_daily",
        sql: """
            CREATE TABLE health_daily(
                scope TEXT NOT NULL, name TEXT NOT NULL, component TEXT NOT NULL, day INTEGER NOT NULL,
                score INTEGER NOT NULL, PRIMARY KEY (scope, name, component, day)
            ) WITHOUT ROWID;
            """)

    // MARK: - 0022

    /// What the stock is worth, at moving average cost: each balance's value (its on-hand and
    /// quarantined units), each ledger row's change of it, and what an order line's shipped units cost
    /// (a return brings them back at that cost). Stock held before this migration opens at the SKU's
    /// unit cost, written to the ledger as an `opening_value` row (dated with the last movement) so the
    /// ledger still sums to the value.
    static let valuation = Migration(
        name: "0022_valuation",
        sql: """
            ALTER TABLE stock ADD COLUMN value INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE ledger ADD COLUMN value INTEGER;
            ALTER TABLE order_lines ADD COLUMN shipped_cost INTEGER NOT NULL DEFAULT 0;
            UPDATE stock SET value = (on_hand + quarantine) * (SELECT k.unit_cost FROM skus k WHERE k.sku = stock.sku)
            WHERE on_hand + quarantine > 0 AND (SELECT k.unit_cost FROM skus k WHERE k.sku = stock.sku) > 0;
            INSERT INTO ledger(at, sku, warehouse, bucket, delta, reason, note, actor, value)
            SELECT (SELECT COALESCE(MAX(at), 0) FROM ledger), sku, warehouse, 'on_hand', 0, 'opening_value',
                'stock held before valuation, at the unit cost', 'system', value
            FROM stock WHERE value <> 0;
            """)

    // MARK: - 0023

    /// One open alert per kind and subject (SKU, order or ref), kept by the database rather than by a
    /// read before the insert, so two writers cannot both open it; duplicates from before are closed.
    static let openAlerts = Migration(
        name: "0023_open_alerts",
        sql: """
            UPDATE alerts SET cleared_at = opened_at WHERE cleared_at IS NULL AND id NOT IN (
                SELECT MIN(id) FROM alerts WHERE cleared_at IS NULL
                GROUP BY kind, COALESCE(sku, ''), COALESCE(order_id, ''), COALESCE(ref, ''));
            DROP INDEX alerts_open;
            CREATE UNIQUE INDEX alerts_open
                ON alerts(kind, COALESCE(sku, ''), COALESCE(order_id, ''), COALESCE(ref, '')) WHERE cleared_at IS NULL;
            CREATE INDEX alerts_open_by_sku ON alerts(kind, sku) WHERE cleared_at IS NULL;
            """)

    // MARK: - 0024

    /// PostgreSQL hands out the ids of orders, returns, transfers, counts and waves from each table's
    /// identity sequence (`SQLDialect.nextID`); databases made before took `MAX(id) + 1`, so the
    /// sequences start past the rows already there.
    static let idSequences = Migration(
        name: "0024_id_sequences",
        sql: "-- SQLite takes the next id from MAX(id) + 1 under its one writer: nothing to do",
        postgresql: ["orders", "returns", "transfers", "counts", "waves"].map {
            "SELECT setval(pg_get_serial_sequence('\($0)', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM \($0);"
        }.joined(separator: "\n"))

    // MARK: - 0025

    /// The tables a handle keeps in memory across transactions (`Store.checkCaches`): settings, channels,
    /// the risk rules and lists, and the SKUs it has looked up.
    static let cachedTables = ["config", "channels", "channel_warehouses", "risk_rulesets", "risk_lists", "skus"]

    /// A counter that any change to the cached tables moves on, whoever makes it (a trigger), so a
    /// handle learns in one read whether what it keeps in memory is still what the database holds.
    static let cacheEpoch = Migration(
        name: "0025_cache_epoch",
        sql: """
            CREATE TABLE cache_epoch(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
            INSERT INTO cache_epoch(id, n) VALUES (1, 0);
            """ + epochTriggers(cachedTables).sqlite,
        postgresql: """
            CREATE TABLE cache_epoch(id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);
            INSERT INTO cache_epoch(id, n) VALUES (1, 0);
            CREATE FUNCTION ordercore_cache_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN UPDATE cache_epoch SET n = n + 1; RETURN NULL; END $$;
            """ + epochTriggers(cachedTables).postgresql)

    /// The triggers that move the cache epoch on any change to `tables`.
    private static func epochTriggers(_ tables: [String]) -> (sqlite: String, postgresql: String) {
        (
            tables.flatMap { table in
                ["INSERT", "UPDATE", "DELETE"].map {
                    "CREATE TRIGGER \(table)_epoch_\($0.lowercased()) AFTER \($0) ON \(table) "
                        + "BEGIN UPDATE cache_epoch SET n = n + 1; END;"
                }
            }.joined(separator: "\n"),
            tables.map {
                "CREATE TRIGGER \($0)_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \($0) "
                    + "FOR EACH STATEMENT EXECUTE FUNCTION ordercore_cache_epoch();"
            }.joined(separator: "\n")
        )
    }

    /// A guarded statement that covers several rows names the one it refuses (`Database.refusing`): on
    /// PostgreSQL it calls this function, which fails the statement (SQLSTATE 22012, as a one-row
    /// guard's own division by zero does) with the key and detail it was given. Nothing on SQLite, where
    /// each guard is a statement of its own.
    static let guardRefusal = Migration(
        name: "0026_guard_refusal",
        sql: "",
        postgresql: """
            CREATE FUNCTION ordercore_guard_refused(key TEXT, detail TEXT) RETURNS INTEGER LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION USING ERRCODE = 'division_by_zero', MESSAGE = key, DETAIL = detail; END $$;
            """)

    // MARK: - 0027

    /// One index of orders by email where there were two (by the email as written, for the risk rules'
    /// counts, and by its lower case, for finding a customer's orders): every order with an email wrote
    /// both. The risk rules now count an email whatever its case (`Bob@x.com` is `bob@x.com`).
    static let emailIndex = Migration(
        name: "0027_email_index",
        sql: """
            DROP INDEX orders_by_email;
            DROP INDEX orders_by_email_nocase;
            CREATE INDEX orders_by_email ON orders(lower(customer_email), placed_at) WHERE customer_email IS NOT NULL;
            """)

    // MARK: - 0028

    /// On PostgreSQL, the columns that hold a count of units carry their bounds in their type (a domain)
    /// instead of a `CHECK` constraint of their table: the same rule, but PostgreSQL parses and plans a
    /// table's `CHECK` constraints from their stored text for every statement that writes the table (a
    /// tenth of the server's work on a paid order), while a domain's are kept ready per connection.
    /// Nothing changes on SQLite. `transfer_lines.received`, bounded by its row's `qty`, keeps its
    /// constraint.
    static let countDomains = Migration(
        name: "0028_count_domains",
        sql: "",
        postgresql: """
            CREATE DOMAIN ordercore_units AS BIGINT CHECK (VALUE >= 0);
            CREATE DOMAIN ordercore_positive_units AS BIGINT CHECK (VALUE > 0);
            """
                + [
                    ("stock", ["on_hand", "reserved", "quarantine", "safety"], "ordercore_units"),
                    ("order_lines", ["qty"], "ordercore_positive_units"),
                    ("reservations", ["qty"], "ordercore_positive_units"),
                    ("count_lines", ["counted"], "ordercore_units"),
                    ("transfer_lines", ["qty"], "ordercore_positive_units"),
                    ("channel_skus", ["cap", "used"], "ordercore_units"),
                    ("warehouse_regions", ["distance"], "ordercore_units"),
                    ("parcel_lines", ["qty"], "ordercore_positive_units"),
                    ("return_lines", ["requested"], "ordercore_positive_units"),
                ].map { table, columns, domain in
                    "ALTER TABLE \(table) "
                        + columns.map { "DROP CONSTRAINT \(table)_\($0)_check, ALTER COLUMN \($0) TYPE \(domain)" }
                        .joined(separator: ", ") + ";"
                }.joined(separator: "\n"))

    // MARK: - 0029

    /// Stored channel profiles move the cache epoch too: a handle keeps the ones it has read instead of
    /// reading a profile's definition again for every channel event.
    static let profileEpoch = Migration(
        name: "0029_profile_epoch", sql: epochTriggers(["channel_profiles"]).sqlite,
        postgresql: epochTriggers(["channel_profiles"]).postgresql)

    // MARK: - 0030

    /// Payments and refunds are found by when they were made: a reconciliation's period
    /// (`Store.eachPayment`) scanned every payment ever recorded, since `payments_by_kind_at` leads with
    /// the kind; the refunds of a sales report take the period's rows of this index and keep the refunds.
    /// One index for one, so a payment writes no more pages.
    static let paymentsByTime = Migration(
        name: "0030_payments_by_time",
        sql: """
            DROP INDEX payments_by_kind_at;
            CREATE INDEX payments_by_at ON payments(at);
            """)

    // MARK: - 0031

    /// A dead letter that refers to a channel order that has not arrived (a cancellation or a refund
    /// delivered before its order) names that order in `awaits`: the order's next event (the one that
    /// creates it, or any later one) applies it (`IntakeCommands.applyAwaiting`).
    static let inboxAwaiting = Migration(
        name: "0031_inbox_awaiting",
        sql: """
            ALTER TABLE inbox ADD COLUMN awaits TEXT;
            CREATE INDEX inbox_awaiting ON inbox(channel, awaits) WHERE awaits IS NOT NULL;
            """)

    // MARK: - 0032

    /// A cash-on-delivery order is fulfilled before it is paid: the buyer pays the carrier (or the
    /// counter) when the goods arrive (`Order.cashOnDelivery`); what is cancelled of it before it was paid
    /// is no longer due (`Order.writtenOff`).
    static let cashOnDelivery = Migration(
        name: "0032_cash_on_delivery",
        sql: """
            ALTER TABLE orders ADD COLUMN cash_on_delivery INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE orders ADD COLUMN written_off INTEGER NOT NULL DEFAULT 0;
            """)

    // MARK: - 0033

    /// Goods that come back before they were paid for (a cash-on-delivery parcel refused at the door) are
    /// no longer owed: a return's settlement takes their value off what is due first (`written_off`) and
    /// pays back only what was paid beyond it.
    static let refundWriteOff = Migration(
        name: "0033_refund_write_off",
        sql: """
            ALTER TABLE return_refunds ADD COLUMN written_off INTEGER NOT NULL DEFAULT 0;
            """)

    // MARK: - 0034

    /// The cash-on-delivery orders whose goods left and that still owe money: the sweep's look for money
    /// the carrier has not passed on (`Store.codOrdersOwing`) reads these, not every order ever shipped.
    static let owingOnDelivery = Migration(
        name: "0034_owing_on_delivery",
        sql: """
            CREATE INDEX orders_owing_on_delivery
                ON orders(cash_on_delivery, (grand_total - paid_total - written_off)) WHERE cash_on_delivery = 1;
            """)

    // MARK: - 0035

    /// When the channel last changed the order, as its latest applied event said (the profile's `updated_at`):
    /// an event older than that (a webhook retried late, a poll's stale page) moves nothing back.
    static let channelUpdatedAt = Migration(
        name: "0035_channel_updated_at",
        sql: """
            ALTER TABLE source_statuses ADD COLUMN updated_at INTEGER;
            """)

    // MARK: - 0036

    /// Of a line's refunded units, those that were cancelled (`LineQuantity.refundedCancelled`): a return pays
    /// nothing more for the others, which were refunded after they left. Lines refunded before take as many
    /// of their cancelled units as they can, as the count was inferred until now.
    static let refundedCancelled = Migration(
        name: "0036_refunded_cancelled",
        sql: """
            ALTER TABLE order_lines ADD COLUMN qty_refunded_cancelled INTEGER NOT NULL DEFAULT 0;
            UPDATE order_lines
                SET qty_refunded_cancelled =
                    CASE WHEN qty_refunded < qty_cancelled THEN qty_refunded ELSE qty_cancelled END
                WHERE qty_refunded > 0 AND qty_cancelled > 0;
            """)

    // MARK: - 0037

    /// Who returned, by each of the buyer's identifiers (email in lower case), copied from the order: an
    /// empty box or a refused parcel follows the buyer to an order under another of them (a guest checkout
    /// with the same phone), found through one index each.
    static let returnBuyers = Migration(
        name: "0037_return_buyers",
        sql: """
            ALTER TABLE returns ADD COLUMN customer_id TEXT;
            ALTER TABLE returns ADD COLUMN customer_phone TEXT;
            ALTER TABLE returns ADD COLUMN customer_email TEXT;
            UPDATE returns SET
                customer_id = (SELECT o.customer_id FROM orders o WHERE o.id = returns.order_rowid),
                customer_phone = (SELECT o.customer_phone FROM orders o WHERE o.id = returns.order_rowid),
                customer_email = (SELECT lower(o.customer_email) FROM orders o WHERE o.id = returns.order_rowid);
            CREATE INDEX returns_by_customer_id ON returns(customer_id) WHERE customer_id IS NOT NULL;
            CREATE INDEX returns_by_phone ON returns(customer_phone) WHERE customer_phone IS NOT NULL;
            CREATE INDEX returns_by_email ON returns(customer_email) WHERE customer_email IS NOT NULL;
            """)

    // MARK: - 0038

    /// Transfers with units still in transit, oldest first: `sweep` looks for the overdue ones.
    static let openTransfers = Migration(
        name: "0038_open_transfers",
        sql: """
            CREATE INDEX transfers_open ON transfers(created_at) WHERE state <> 'received';
            """)

    // MARK: - 0039

    /// A returner is found by the buyer's identifiers since 0037; nothing reads returns by `customer` now.
    static let returnsByCustomerUnused = Migration(
        name: "0039_returns_by_customer_unused",
        sql: """
            DROP INDEX returns_by_customer;
            """)

    // MARK: - 0040

    /// A transfer closed short: the units that never arrived are lost on the way (`lost`), in transit no
    /// more, and who closed it and why is kept. Open lines and transfers are those with units still moving.
    static let transferLosses = Migration(
        name: "0040_transfer_losses",
        sql: """
            ALTER TABLE transfer_lines ADD COLUMN lost INTEGER NOT NULL DEFAULT 0
                CHECK (lost >= 0 AND received + lost <= qty);
            ALTER TABLE transfers ADD COLUMN closed_by TEXT;
            ALTER TABLE transfers ADD COLUMN close_reason TEXT;
            DROP INDEX transfer_lines_open;
            CREATE INDEX transfer_lines_open ON transfer_lines(sku) WHERE received + lost < qty;
            DROP INDEX transfers_open;
            CREATE INDEX transfers_open ON transfers(created_at) WHERE state IN ('in_transit', 'partially_received');
            """)

    /// Lines sold short (backordered) by SKU: units that become available go to them first.
    static let backorderedLines = Migration(
        name: "0041_backordered_lines",
        sql: "CREATE INDEX order_lines_backordered ON order_lines(sku) WHERE qty_backordered > 0;")

    /// Units a channel shipped that an order never held are owed no more: lines of files from before that
    /// kept them `backordered` owe at most what is left to ship and not held.
    static let owedLeft = Migration(
        name: "0042_owed_left",
        sql: """
            UPDATE order_lines SET qty_backordered = MAX(0, qty - qty_cancelled - qty_shipped - qty_reserved)
            WHERE qty_backordered > 0 AND qty_backordered > qty - qty_cancelled - qty_shipped - qty_reserved;
            """,
        postgresql: """
            UPDATE order_lines SET qty_backordered = GREATEST(0, qty - qty_cancelled - qty_shipped - qty_reserved)
            WHERE qty_backordered > 0 AND qty_backordered > qty - qty_cancelled - qty_shipped - qty_reserved;
            """)

    /// A cancelled unit is not allocated or picked: lines of files from before that kept the counts of units
    /// allocated or picked when the order was cancelled keep those of the units that shipped.
    static let cancelledUnallocated = Migration(
        name: "0043_cancelled_unallocated",
        sql: """
            UPDATE order_lines SET qty_allocated = MIN(qty_allocated, qty_packed),
                qty_picked = MIN(qty_picked, qty_packed)
            WHERE qty_cancelled > 0 AND qty_cancelled + qty_shipped = qty AND qty_allocated > qty_packed;
            """,
        postgresql: """
            UPDATE order_lines SET qty_allocated = LEAST(qty_allocated, qty_packed),
                qty_picked = LEAST(qty_picked, qty_packed)
            WHERE qty_cancelled > 0 AND qty_cancelled + qty_shipped = qty AND qty_allocated > qty_packed;
            """)

    /// Units picked are units the order holds: lines of files from before that kept units picked after they
    /// were refunded or cancelled while being picked count those they still hold (allocated, or packed).
    static let pickedHeld = Migration(
        name: "0044_picked_held",
        sql: """
            UPDATE order_lines SET qty_picked = MAX(qty_allocated, qty_packed)
            WHERE qty_picked > qty_allocated AND qty_picked > qty_packed;
            """,
        postgresql: """
            UPDATE order_lines SET qty_picked = GREATEST(qty_allocated, qty_packed)
            WHERE qty_picked > qty_allocated AND qty_picked > qty_packed;
            """)

    /// A buyer's phone, e-mail and IP compared however they are written (`Phone.key`, `Email.key`,
    /// `IPAddress.key`: `+86 133…` is `133…`, `bob+1@x.com` is `bob@x.com`, an IPv6 address is its /64
    /// network): the orders' keys index the velocity and shared-device counts, searches and customers'
    /// records, and the duplicate fingerprint reads the phone's; a return keeps its buyer's phone key beside
    /// the phone, and its e-mail key where it kept the address (only compared); the allow and block lists
    /// name them by their keys.
    static let buyerKeys = Migration(
        name: "0045_buyer_keys",
        sql: """
            ALTER TABLE orders ADD COLUMN customer_phone_key TEXT;
            ALTER TABLE orders ADD COLUMN customer_email_key TEXT;
            ALTER TABLE orders ADD COLUMN ip_key TEXT;
            DROP INDEX orders_by_phone;
            DROP INDEX orders_by_email;
            DROP INDEX orders_by_ip;
            CREATE INDEX orders_by_phone ON orders(customer_phone_key, placed_at) WHERE customer_phone_key IS NOT NULL;
            CREATE INDEX orders_by_email ON orders(customer_email_key, placed_at) WHERE customer_email_key IS NOT NULL;
            CREATE INDEX orders_by_ip ON orders(ip_key, placed_at, customer_id) WHERE ip_key IS NOT NULL;
            ALTER TABLE returns ADD COLUMN customer_phone_key TEXT;
            DROP INDEX returns_by_phone;
            CREATE INDEX returns_by_phone ON returns(customer_phone_key) WHERE customer_phone_key IS NOT NULL;
            """,
        backfill: { db in
            let phone = (from: "customer_phone", to: "customer_phone_key", key: Phone.key)
            let email = (from: "customer_email", to: "customer_email_key", key: Email.key)
            try fill(db, table: "orders", [phone, email, (from: "ip", to: "ip_key", key: IPAddress.key)])
            try fill(db, table: "returns", [phone, (from: "customer_email", to: "customer_email", key: Email.key)])
            for kind in ["phone", "email", "ip"] {
                try relist(db, kind: kind) { Identifier.key(kind, $0) }
            }
        })

    /// An order sold on credit (`Order.paymentTerms`: B2B net terms, due on fulfilment) ships before it is
    /// paid, and is due by `payment_due_at` (none: once its first parcel left). The sweep's look for
    /// payments overdue (`Store.ordersOwingOnTerms`) reads the orders on terms that owe now, not every one
    /// ever sold on terms.
    static let paymentTerms = Migration(
        name: "0046_payment_terms",
        sql: """
            ALTER TABLE orders ADD COLUMN payment_terms TEXT;
            ALTER TABLE orders ADD COLUMN payment_due_at INTEGER;
            CREATE INDEX orders_owing_on_terms ON orders((grand_total - paid_total - written_off))
                WHERE payment_terms IS NOT NULL AND state <> 'cancelled';
            """)

    /// The orders owing the buyer a refund (`refund_due`: cancelled paid, or units of them cancelled) are the
    /// queue of refunds to make (`order.list refund_due=true`): read from the few that owe, newest first, not
    /// from every order ever placed.
    static let refundsOwed = Migration(
        name: "0047_refunds_owed",
        sql: """
            CREATE INDEX orders_owing_refunds ON orders(id) WHERE refund_due > 0;
            """)

    /// Points that paid for shipping (order discounts beyond the goods' value come off the shipping) come back
    /// with it (`RefundAllocation.shippingPoints`): a return's refund records, of its `points`, those
    /// (`shipping_points`), so the refund that completes an order gives back only the rest.
    static let shippingPoints = Migration(
        name: "0048_shipping_points",
        sql: """
            ALTER TABLE return_refunds ADD COLUMN shipping_points INTEGER NOT NULL DEFAULT 0;
            """)

    /// The channel's id of each order line (`line_ref`: Shopify's line item, Taobao's sub-order): a channel's
    /// refund names the line it is for, exact where a SKU is on several lines (a free gift of the item bought).
    static let lineRefs = Migration(
        name: "0049_line_refs",
        sql: """
            ALTER TABLE order_lines ADD COLUMN line_ref TEXT;
            """)

    /// Disputes of an order's payment (`order.dispute`): a chargeback the buyer's bank opened takes the money
    /// back until the merchant wins it; an inquiry only asks. `dispute_ref` is the bank's or gateway's case;
    /// `covered_due`, the refund the order owed (`refund_due`) that the chargeback paid the buyer instead. The
    /// buyer's keys (as an order's and a return's) find a buyer's chargebacks from any order (risk rule
    /// `chargebacks`). A handle keeps those keys in memory (`Store.chargebackBuyers`): the table moves the cache
    /// epoch.
    static let disputes = Migration(
        name: "0050_disputes", sql: disputesTable + epochTriggers(["disputes"]).sqlite,
        postgresql: SQLDialect.postgresql.schema(disputesTable) + epochTriggers(["disputes"]).postgresql)

    /// Fraud verdicts on an order from outside OrderCore (`risk.report`: a channel's fraud analysis, a payment
    /// gateway's), one per source; the gravest counts in the order's risk score (rule `channel_risk`).
    static let riskReports = Migration(
        name: "0051_risk_reports", sql: riskReportsTable, postgresql: SQLDialect.postgresql.schema(riskReportsTable))

    /// A carrier event's AfterShip subtag (`Exception_003`: the buyer refused the parcel), kept so that an event
    /// for a number no shipment had yet raises the same alert when a shipment takes the number.
    static let trackingSubtags = Migration(
        name: "0052_tracking_subtags",
        sql: """
            ALTER TABLE tracking_events ADD COLUMN subtag TEXT;
            """)

    /// Shipments the sweep does not chase for a pickup scan (`no_pickup`): a channel's parcel from its own stock
    /// (Amazon FBA), one it names no tracking number for, one that left longer ago than the alert's window when it
    /// was recorded (a backfill of history). No carrier scan is coming for them that anyone waits for.
    static let pickupWatch = Migration(
        name: "0053_pickup_watch",
        sql: """
            ALTER TABLE shipments ADD COLUMN unwatched INTEGER NOT NULL DEFAULT 0;
            DROP INDEX shipments_awaiting_pickup;
            CREATE INDEX shipments_awaiting_pickup ON shipments(shipped_at) WHERE picked_up_at IS NULL
                AND state != 'delivered' AND unwatched = 0;
            """)

    /// The channel's id of a parcel it shipped (a Shopify fulfillment, an Amazon package): a tracking number the
    /// channel corrects later is the same parcel's.
    static let parcelRefs = Migration(
        name: "0054_parcel_refs",
        sql: """
            ALTER TABLE shipments ADD COLUMN parcel_ref TEXT;
            """)

    /// Carrier events kept for a tracking number no shipment had, found by the number alone when a shipment takes
    /// it: the carrier that sent them may spell its name otherwise than the shipment (AfterShip's `ups`).
    static let unmatchedTracking = Migration(
        name: "0055_unmatched_tracking",
        sql: """
            CREATE INDEX tracking_events_unmatched ON tracking_events(tracking_no) WHERE shipment_rowid IS NULL;
            """)

    private static let riskReportsTable = """
        CREATE TABLE risk_reports(
            order_rowid INTEGER NOT NULL REFERENCES orders(id), source TEXT NOT NULL, level TEXT NOT NULL,
            message TEXT, reported_at INTEGER NOT NULL, PRIMARY KEY (order_rowid, source)
        );
        """

    private static let disputesTable = """
        CREATE TABLE disputes(
            id INTEGER PRIMARY KEY, order_rowid INTEGER NOT NULL REFERENCES orders(id),
            dispute_ref TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, status TEXT NOT NULL, amount INTEGER NOT NULL,
            reason TEXT, opened_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            covered_due INTEGER NOT NULL DEFAULT 0,
            customer_id TEXT, customer_phone_key TEXT, customer_email_key TEXT
        );
        CREATE INDEX disputes_by_order ON disputes(order_rowid);
        CREATE INDEX disputes_by_customer_id ON disputes(customer_id) WHERE customer_id IS NOT NULL;
        CREATE INDEX disputes_by_phone ON disputes(customer_phone_key) WHERE customer_phone_key IS NOT NULL;
        CREATE INDEX disputes_by_email ON disputes(customer_email_key) WHERE customer_email_key IS NOT NULL;
        """

    /// Writes the key of each row's `from` column into its `to` column, a thousand rows to a statement (one
    /// statement a row took minutes over a million orders on PostgreSQL, a round trip each) and ten
    /// thousand rows read at a time (memory stays bounded however many orders there are).
    private static func fill(
        _ db: Database, table: String, _ columns: [(from: String, to: String, key: (String) -> String?)]
    ) throws {
        let read = """
            SELECT id, \(columns.map(\.from).joined(separator: ", ")) FROM \(table) WHERE id > ? AND (\(
                columns.map { "\($0.from) IS NOT NULL" }.joined(separator: " OR "))) ORDER BY id LIMIT 10000
            """
        let set = columns.enumerated().map { "\($1.to) = v.column\($0 + 2)" }.joined(separator: ", ")
        let row = "(CAST(? AS BIGINT)\(String(repeating: ", CAST(? AS TEXT)", count: columns.count)))"
        var after: Int64 = 0
        while true {
            var chunk: [[SQLValue]] = []
            try db.rows(read, .int(after)) { r in
                after = r.int(0)
                let keys = columns.enumerated().map { SQLValue.opt(r.optText(Int32($0 + 1)).flatMap($1.key)) }
                chunk.append([.int(after)] + keys)
            }
            if chunk.isEmpty { return }
            for part in stride(from: 0, to: chunk.count, by: 1_000) {
                let rows = chunk[part..<min(part + 1_000, chunk.count)]
                let values = Array(repeating: row, count: rows.count).joined(separator: ", ")
                try db.run(
                    "UPDATE \(table) SET \(set) FROM (VALUES \(values)) AS v WHERE \(table).id = v.column1",
                    arguments: Array(rows.joined()))
            }
        }
    }

    /// Lists the entries of `kind` by their keys; one listed twice keeps the entry already under its key.
    private static func relist(_ db: Database, kind: String, key: (String) -> String?) throws {
        var listed: [(value: String, key: String)] = []
        try db.rows("SELECT value FROM risk_lists WHERE kind = ?", .text(kind)) {
            if let key = key($0.text(0)), key != $0.text(0) { listed.append(($0.text(0), key)) }
        }
        for (value, key) in listed {
            try db.run(
                """
                INSERT INTO risk_lists(kind, value, list, note, updated_at)
                SELECT kind, ?, list, note, updated_at FROM risk_lists WHERE kind = ? AND value = ?
                ON CONFLICT (kind, value) DO NOTHING
                """, .text(key), .text(kind), .text(value))
            try db.run("DELETE FROM risk_lists WHERE kind = ? AND value = ?", .text(kind), .text(value))
        }
    }
}
