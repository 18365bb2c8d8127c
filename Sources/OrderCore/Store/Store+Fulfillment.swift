/// SQL of picking, packing and shipping.
extension Store {
    /// Adds to one tracked quantity of a line.
    func addLineQuantity(_ kind: LineQuantity, orderRowID: Int64, lineNo: Int64, qty: Int64) throws {
        try db.run(
            "UPDATE order_lines SET qty_\(kind.rawValue) = qty_\(kind.rawValue) + ? WHERE order_rowid = ? AND line_no "
                + "= ?",
            .int(qty), .int(orderRowID), .int(lineNo))
    }

    /// Adds to what a line's shipped units cost: their value when they left the stock.
    func addShippedCost(orderRowID: Int64, lineNo: Int64, cost: Int64) throws {
        try db.run(
            "UPDATE order_lines SET shipped_cost = shipped_cost + ? WHERE order_rowid = ? AND line_no = ?",
            .int(cost), .int(orderRowID), .int(lineNo))
    }

    /// What one shipped unit of a line cost, on average (nil: no value left the stock with them).
    func shippedUnitCost(orderRowID: Int64, lineNo: Int64) throws -> Int64? {
        try db.first(
            "SELECT shipped_cost / qty_shipped FROM order_lines WHERE order_rowid = ? AND line_no = ? "
                + "AND shipped_cost > 0 AND qty_shipped > 0", .int(orderRowID), .int(lineNo)
        ) { $0.int(0) }
    }

    /// SKU codes by barcode, for the barcodes given.
    func skuCodes(barcodes: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        guard !barcodes.isEmpty else { return result }
        try db.rows(
            "SELECT barcode, sku FROM skus WHERE barcode IN (\(Database.placeholders(barcodes.count)))",
            arguments: barcodes.map(SQLValue.text)
        ) { result[$0.text(0)] = $0.text(1) }
        return result
    }

    // MARK: - Parcels

    func insertParcel(
        orderRowID: Int64, state: Parcel.State, weight: Int64?, expected: Int64?, at: Int64, by actor: String
    ) throws -> Int64 {
        let seq =
            try db.first("SELECT COALESCE(MAX(seq), 0) + 1 FROM parcels WHERE order_rowid = ?", .int(orderRowID)) {
                $0.int(0)
            } ?? 1
        try db.run(
            """
            INSERT INTO parcels(order_rowid, seq, state, weight_g, expected_g, packed_at, packed_by)
                VALUES (?, ?, ?, ?, ?, ?, ?)
            """, .int(orderRowID), .int(seq), .text(state.rawValue), .opt(weight), .opt(expected), .int(at),
            .text(actor))
        return seq
    }

    func insertParcelLine(orderRowID: Int64, seq: Int64, lineNo: Int64, sku: String, qty: Int64) throws {
        try db.run(
            """
            INSERT INTO parcel_lines(parcel_rowid, line_no, sku, qty)
            VALUES ((SELECT id FROM parcels WHERE order_rowid = ? AND seq = ?), ?, ?, ?)
            """, .int(orderRowID), .int(seq), .int(lineNo), .text(sku), .int(qty))
    }

    func parcels(orderRowID: Int64) throws -> [Parcel] {
        var result: [Parcel] = []
        try db.rows(
            """
            SELECT p.seq, p.state, p.weight_g, p.expected_g, p.packed_at, p.override_by, p.override_reason, s.seq
            FROM parcels p LEFT JOIN shipments s ON s.id = p.shipment_rowid WHERE p.order_rowid = ? ORDER BY p.seq
            """, .int(orderRowID)
        ) {
            result.append(
                Parcel(
                    seq: $0.int(0), state: Parcel.State(rawValue: $0.text(1)) ?? .packed, weight: $0.optInt(2),
                    expected: $0.optInt(3), packedAt: $0.int(4), overrideBy: $0.optText(5),
                    overrideReason: $0.optText(6),
                    shipment: $0.optInt(7)))
        }
        try db.rows(
            """
            SELECT p.seq, l.line_no, l.sku, l.qty FROM parcel_lines l JOIN parcels p ON p.id = l.parcel_rowid
            WHERE p.order_rowid = ? ORDER BY p.seq, l.line_no
            """, .int(orderRowID)
        ) { r in
            if let i = result.firstIndex(where: { $0.seq == r.int(0) }) {
                result[i].lines.append((lineNo: r.int(1), sku: r.text(2), qty: r.int(3)))
            }
        }
        return result
    }

    /// Takes apart the order's parcels that have not left.
    func removeUnshippedParcels(orderRowID: Int64) throws {
        let unshipped = "SELECT id FROM parcels WHERE order_rowid = ? AND shipment_rowid IS NULL"
        try db.run("DELETE FROM parcel_lines WHERE parcel_rowid IN (\(unshipped))", .int(orderRowID))
        try db.run("DELETE FROM parcels WHERE id IN (\(unshipped))", .int(orderRowID))
    }

    func setParcel(
        orderRowID: Int64, seq: Int64, state: Parcel.State, overrideBy: String? = nil, overrideReason: String? = nil,
        shipmentSeq: Int64? = nil
    ) throws {
        try db.run(
            """
            UPDATE parcels SET state = ?, override_by = COALESCE(?, override_by), override_reason = COALESCE(?,
                override_reason),
                shipment_rowid = COALESCE((SELECT id FROM shipments WHERE order_rowid = ?4 AND seq = ?), shipment_rowid)
            WHERE order_rowid = ?4 AND seq = ?
            """, .text(state.rawValue), .opt(overrideBy), .opt(overrideReason), .int(orderRowID), .opt(shipmentSeq),
            .int(seq))
    }

    // MARK: - Shipments

    func shipmentExists(carrier: String, trackingNo: String) throws -> Bool {
        try db.first("SELECT 1 FROM shipments WHERE carrier = ? AND tracking_no = ?", .text(carrier), .text(trackingNo))
        { _ in true } ?? false
    }

    /// - Parameters:
    ///   - watched: whether the sweep waits for its pickup scan (`no_pickup`).
    ///   - parcelRef: the channel's id of the parcel.
    func insertShipment(
        orderRowID: Int64, carrier: String, trackingNo: String, at: Int64, watched: Bool = true,
        parcelRef: String? = nil
    ) throws -> Int64 {
        let seq =
            try db.first("SELECT COALESCE(MAX(seq), 0) + 1 FROM shipments WHERE order_rowid = ?", .int(orderRowID)) {
                $0.int(0)
            } ?? 1
        try db.run(
            "INSERT INTO shipments(order_rowid, seq, carrier, tracking_no, state, shipped_at, unwatched, parcel_ref) "
                + "VALUES (?, ?, ?, ?, 'shipped', ?, ?, ?)",
            .int(orderRowID), .int(seq), .text(carrier), .text(trackingNo), .int(at), .int(watched ? 0 : 1),
            .opt(parcelRef))
        return seq
    }

    func renameShipment(
        orderRowID: Int64, seq: Int64, carrier: String, trackingNo: String, watched: Bool, parcelRef: String?
    ) throws {
        try db.run(
            """
            UPDATE shipments SET carrier = ?, tracking_no = ?, unwatched = ?, parcel_ref = COALESCE(?, parcel_ref)
                WHERE order_rowid = ? AND seq = ?
            """, .text(carrier), .text(trackingNo), .int(watched ? 0 : 1), .opt(parcelRef), .int(orderRowID), .int(seq))
    }

    /// The channel's id of the parcel (`parcel_ref`) for a shipment recorded without it.
    func setParcelRef(orderRowID: Int64, seq: Int64, parcelRef: String) throws {
        try db.run(
            "UPDATE shipments SET parcel_ref = ? WHERE order_rowid = ? AND seq = ?", .text(parcelRef), .int(orderRowID),
            .int(seq))
    }

    func shipments(orderRowID: Int64) throws -> [Shipment] {
        var result: [Shipment] = []
        try db.rows(
            """
            SELECT seq, carrier, tracking_no, state, shipped_at, delivered_at, parcel_ref FROM shipments
                WHERE order_rowid = ? ORDER BY seq
            """, .int(orderRowID)
        ) {
            result.append(
                Shipment(
                    seq: $0.int(0), carrier: $0.text(1), trackingNo: $0.text(2), state: $0.text(3),
                    shippedAt: $0.int(4), deliveredAt: $0.optInt(5), parcelRef: $0.optText(6)))
        }
        return result
    }

    func markDelivered(orderRowID: Int64, seq: Int64, at: Int64) throws {
        try db.run(
            "UPDATE shipments SET state = 'delivered', delivered_at = ? WHERE order_rowid = ? AND seq = ?",
            .int(at), .int(orderRowID), .int(seq))
    }

    /// Takes `qty` units out of an active hold: the hold shrinks (or closes) and a `fulfilled` hold of
    /// `qty` records where they went.
    /// Takes `qty` of an active hold of `qty + remaining` units (the hold as read). - Throws: `Stale` when
    /// the hold is no longer that (another writer took or released it first).
    func consumeReservation(id: Int64, qty: Int64, remaining: Int64) throws {
        let changed =
            remaining == 0
            ? try db.run(
                "UPDATE reservations SET state = 'fulfilled' WHERE id = ? AND state = 'active' AND qty = ?", .int(id),
                .int(qty))
            : try db.run(
                "UPDATE reservations SET qty = ? WHERE id = ? AND state = 'active' AND qty = ?", .int(remaining),
                .int(id),
                .int(qty + remaining))
        guard changed == 1 else { throw Stale(what: "reservation \(id)") }
        if remaining > 0 {
            try db.run(
                """
                INSERT INTO reservations(order_rowid, line_no, sku, warehouse, qty, expires_at, state, channel_counted)
                SELECT order_rowid, line_no, sku, warehouse, ?, NULL, 'fulfilled', channel_counted FROM reservations
                    WHERE id = ?
                """, .int(qty), .int(id))
        }
    }

    /// Orders delivered at or before `before` (to complete automatically).
    func deliveredOrders(before: Int64) throws -> [Int64] {
        var result: [Int64] = []
        try db.rows("SELECT id FROM orders WHERE state = 'delivered' AND delivered_at <= ? ORDER BY id", .int(before)) {
            result.append($0.int(0))
        }
        return result
    }
}
