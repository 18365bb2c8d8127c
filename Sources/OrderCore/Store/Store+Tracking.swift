/// SQL of carrier tracking.
extension Store {
    /// The shipment a tracking number belongs to, with its order: the one of this carrier, else the only shipment
    /// with the number (the carrier named otherwise: Shopify's `UPS`, AfterShip's `ups`).
    func shipment(carrier: String, trackingNo: String) throws -> (rowID: Int64, orderRowID: Int64, shipment: Shipment)?
    {
        var found: [(rowID: Int64, orderRowID: Int64, shipment: Shipment)] = []
        try db.rows(
            """
            SELECT id, order_rowid, seq, carrier, tracking_no, state, shipped_at, delivered_at FROM shipments
                WHERE tracking_no = ? ORDER BY carrier = ? DESC LIMIT 2
            """, .text(trackingNo), .text(carrier)
        ) {
            found.append(
                (
                    $0.int(0), $0.int(1),
                    Shipment(
                        seq: $0.int(2), carrier: $0.text(3), trackingNo: $0.text(4), state: $0.text(5),
                        shippedAt: $0.int(6), deliveredAt: $0.optInt(7))
                ))
        }
        guard let first = found.first, first.shipment.carrier == carrier || found.count == 1 else { return nil }
        return first
    }

    /// Stores an event. - Returns: false when the same event (carrier, number, status, time, message)
    /// was stored before: a duplicate delivery of it, applied once.
    func insertTrackingEvent(_ report: TrackingReport, shipmentRowID: Int64?, at: Int64) throws -> Bool {
        try db.run(
            """
            INSERT INTO tracking_events(carrier, tracking_no, shipment_rowid, status, time, message, location,
                subtag, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """, .text(report.carrier), .text(report.trackingNo), .opt(shipmentRowID), .text(report.status.rawValue),
            .int(report.time), .text(report.message), .opt(report.location), .opt(report.subtag), .int(at)) == 1
    }

    /// Whether an event with the report's status and message was kept for its parcel, at any time.
    func trackingEventExists(_ report: TrackingReport) throws -> Bool {
        try db.first(
            """
            SELECT 1 FROM tracking_events WHERE carrier = ? AND tracking_no = ? AND status = ? AND message = ?
                LIMIT 1
            """,
            .text(report.carrier), .text(report.trackingNo), .text(report.status.rawValue), .text(report.message),
            map: { _ in true }) ?? false
    }

    /// The events kept for a tracking number no shipment had when they came, under whatever carrier they name,
    /// oldest first.
    func unmatchedTrackingEvents(trackingNo: String) throws -> [TrackingReport] {
        var reports: [TrackingReport] = []
        try db.rows(
            """
            SELECT carrier, status, time, message, location, subtag FROM tracking_events
                WHERE tracking_no = ? AND shipment_rowid IS NULL ORDER BY time, id
            """, .text(trackingNo)
        ) {
            guard let status = TrackingStatus(rawValue: $0.text(1)) else { return }
            reports.append(
                TrackingReport(
                    carrier: $0.text(0), trackingNo: trackingNo, status: status, time: $0.int(2), message: $0.text(3),
                    location: $0.optText(4), subtag: $0.optText(5)))
        }
        return reports
    }

    /// Gives a shipment the events kept for its tracking number before it had it under `carrier`'s spelling, kept
    /// from now on under the shipment's carrier (`kept`; an event kept under both is kept once).
    func linkTrackingEvents(carrier: String, trackingNo: String, shipmentRowID: Int64, kept: String) throws {
        if carrier != kept {
            try db.run(
                """
                DELETE FROM tracking_events WHERE carrier = ? AND tracking_no = ? AND shipment_rowid IS NULL
                    AND EXISTS (SELECT 1 FROM tracking_events t WHERE t.carrier = ? AND t.tracking_no = ?
                        AND t.status = tracking_events.status AND t.time = tracking_events.time
                        AND t.message = tracking_events.message)
                """, .text(carrier), .text(trackingNo), .text(kept), .text(trackingNo))
        }
        try db.run(
            """
            UPDATE tracking_events SET shipment_rowid = ?, carrier = ? WHERE carrier = ? AND tracking_no = ?
                AND shipment_rowid IS NULL
            """,
            .int(shipmentRowID), .text(kept), .text(carrier), .text(trackingNo))
    }

    /// Moves a shipment's tracking state (the caller never moves it backwards).
    func setTracking(shipmentRowID: Int64, state: String, pickedUpAt: Int64?, eventAt: Int64) throws {
        try db.run(
            """
            UPDATE shipments SET state = ?, picked_up_at = COALESCE(picked_up_at, ?),
                last_event_at = \(db.dialect.greatest("COALESCE(last_event_at, 0)", "?"))
            WHERE id = ?
            """, .text(state), .opt(pickedUpAt), .int(eventAt), .int(shipmentRowID))
    }

    /// Shipments watched for a pickup scan with none that left at or before `before`, with their order ids.
    func shipmentsAwaitingPickup(before: Int64) throws -> [(orderID: String, shipment: Shipment)] {
        var result: [(String, Shipment)] = []
        try db.rows(
            """
            SELECT o.order_id, s.seq, s.carrier, s.tracking_no, s.state, s.shipped_at, s.delivered_at
            FROM shipments s JOIN orders o ON o.id = s.order_rowid
            WHERE s.picked_up_at IS NULL AND s.state != 'delivered' AND s.unwatched = 0 AND s.shipped_at <= ?
                ORDER BY s.shipped_at
            """, .int(before)
        ) {
            result.append(
                (
                    $0.text(0),
                    Shipment(
                        seq: $0.int(1), carrier: $0.text(2), trackingNo: $0.text(3), state: $0.text(4),
                        shippedAt: $0.int(5), deliveredAt: $0.optInt(6))
                ))
        }
        return result
    }

    /// Cash-on-delivery orders whose goods left and that still owe money, with what they owe and when their
    /// first parcel left (read through `orders_owing_on_delivery`: the orders owing now, not the history).
    func codOrdersOwing() throws -> [(orderID: String, due: Int64, currency: String, firstOut: Int64?)] {
        var result: [(String, Int64, String, Int64?)] = []
        try db.rows(Store.codOrdersOwingSQL) { result.append(($0.text(0), $0.int(1), $0.text(2), $0.optInt(3))) }
        return result
    }

    static let codOrdersOwingSQL = """
        SELECT order_id, grand_total - paid_total - written_off, currency,
            (SELECT MIN(s.shipped_at) FROM shipments s WHERE s.order_rowid = orders.id)
        FROM orders
        WHERE cash_on_delivery = 1 AND grand_total - paid_total - written_off > 0
            AND state IN ('partially_shipped', 'shipped', 'delivered', 'completed')
        """

    /// Orders sold on payment terms that still owe, with what they owe, their terms, and when the money is
    /// due: their terms' due time, or (due on fulfilment) when their first parcel left; nil before then
    /// (read through `orders_owing_on_terms`: the orders owing now, not the history).
    func ordersOwingOnTerms() throws
        -> [(orderID: String, due: Int64, currency: String, terms: String, dueAt: Int64?)]
    {
        var result: [(String, Int64, String, String, Int64?)] = []
        try db.rows(Store.ordersOwingOnTermsSQL) {
            result.append(($0.text(0), $0.int(1), $0.text(2), $0.text(3), $0.optInt(4)))
        }
        return result
    }

    static let ordersOwingOnTermsSQL = """
        SELECT order_id, grand_total - paid_total - written_off, currency, payment_terms,
            COALESCE(payment_due_at, (SELECT MIN(s.shipped_at) FROM shipments s WHERE s.order_rowid = orders.id))
        FROM orders
        WHERE payment_terms IS NOT NULL AND state <> 'cancelled' AND grand_total - paid_total - written_off > 0
        """

    /// Orders owing the buyer a refund (`refund_due`), with what they owe and since when: their first
    /// cancellation since a refund last paid something owed (read through `orders_owing_refunds`: the few that
    /// owe, not the history).
    func ordersOwingRefunds() throws -> [(orderID: String, owed: Int64, currency: String, since: Int64)] {
        var result: [(String, Int64, String, Int64)] = []
        try db.rows(Store.ordersOwingRefundsSQL) { result.append(($0.text(0), $0.int(1), $0.text(2), $0.int(3))) }
        return result
    }

    static let ordersOwingRefundsSQL = """
        SELECT order_id, refund_due, currency,
            COALESCE((SELECT MIN(e.at) FROM order_events e WHERE e.order_rowid = orders.id
                AND e.command = 'order.cancel'
                AND e.seq > COALESCE((SELECT MAX(p.seq) FROM order_events p WHERE p.order_rowid = orders.id
                    AND p.command = 'order.refund' AND p.details LIKE '%"refund_due_paid"%'), 0)), updated_at)
        FROM orders
        WHERE refund_due > 0
        """

    /// The carrier's latest checkpoint of a parcel: status, time, message, location.
    func latestTrackingEvent(carrier: String, trackingNo: String) throws -> JSON? {
        try db.first(
            """
            SELECT status, time, message, location FROM tracking_events WHERE carrier = ? AND tracking_no = ?
                ORDER BY time DESC, id DESC LIMIT 1
            """, .text(carrier), .text(trackingNo), map: Store.trackingEvent)
    }

    private static func trackingEvent(_ r: Row) -> JSON {
        [
            "status": .string(r.text(0)), "time": .string(Timestamp.format(r.int(1))), "message": .string(r.text(2)),
            "location": .optional(r.optText(3)),
        ]
    }

    func trackingEvents(carrier: String, trackingNo: String) throws -> [JSON] {
        var result: [JSON] = []
        try db.rows(
            """
            SELECT status, time, message, location FROM tracking_events WHERE carrier = ? AND tracking_no = ?
                ORDER BY time, id
            """, .text(carrier), .text(trackingNo)
        ) { result.append(Store.trackingEvent($0)) }
        return result
    }
}
