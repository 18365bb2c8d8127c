/// Holds, picking, verified packing, shipping, delivery and completion.
enum FulfillmentCommands {
    static let all = [hold, release, pick, pack, unpack, overrideWeight, ship, deliver, complete, packingSlip]

    // MARK: - Holds

    static let hold = Command(
        "order.hold", .write,
        "Stop an order before anything leaves the warehouse (order_id, reason); it remembers the state it left",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("reason", .text, required: true, positional: true),
        ],
        result: ["order_id", "state"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let reason = try f.requiredReason("the order is held")
        try f.finish()
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.hold")
        try ctx.hold(&order, reason: reason, command: "order.hold", details: ["reason": .string(reason)])
        return try ctx.document(order)
    }

    static let release = Command(
        "order.release", .write,
        "Release a held order back to the state it was held in (order_id, reason)",
        roleRule: "a supervisor to lift a hold its channel asked for, or a chargeback's",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("reason", .text, positional: true),
        ],
        result: ["order_id", "state"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let reason = try f.text("reason", maxLength: 500)
        try f.finish()
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.release")
        // A hold the risk rules placed is lifted by a review, which records who decided and why.
        if order.holdReason?.hasPrefix(CommandContext.riskHoldPrefix) == true, !ctx.releasingRiskHold {
            throw OrderCoreError(
                .conflict, "order \(id) is held by the risk rules; a supervisor decides with risk.review",
                details: ["order_id": .string(id), "reason": "risk_hold"])
        }
        // A hold the channel asked for (the buyer asked to cancel there) is lifted by the channel's word;
        // a person who overrules it is a supervisor.
        if order.holdReason?.hasPrefix(CommandContext.channelHoldPrefix) == true {
            try ctx.requireRole(.supervisor, to: "lifting a hold the channel asked for")
        }
        // A chargeback's hold: shipping while the bank takes the money back is a supervisor's decision.
        if order.holdReason?.hasPrefix(Dispute.holdPrefix) == true {
            try ctx.requireRole(.supervisor, to: "shipping an order whose payment a chargeback is taking back")
        }
        try ctx.lift(&order, command: "order.release", reason: reason)
        return try ctx.document(order)
    }

    // MARK: - Picking

    static let pick = Command(
        "order.pick", .write,
        "Record picked units of an allocated order (order_id, lines [{line_no, qty}] = everything allocated)",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("lines", .array, "Per line number, the units picked (default: everything allocated)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let given = try lineQuantities(f)
        try f.finish()
        var order = try ctx.requireOrder(id)
        let next = try ctx.next(order, "order.pick")
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        let open = Dictionary(
            uniqueKeysWithValues: lines.map { ($0.lineNo, $0.quantity(.allocated) - $0.quantity(.picked)) })
        let everything: [(Int64, Int64)] = lines.map { ($0.lineNo, open[$0.lineNo] ?? 0) }.filter { $0.1 > 0 }
        let picks = given ?? everything
        for (lineNo, qty) in picks {
            guard let left = open[lineNo] else {
                throw OrderCoreError.invalid("order \(id) has no line \(lineNo)", field: "lines")
            }
            guard qty <= left else {
                throw OrderCoreError.invalid(
                    "line \(lineNo): picking \(qty) but \(left) are left to pick", field: "lines")
            }
            try ctx.store.addLineQuantity(.picked, orderRowID: order.rowID, lineNo: lineNo, qty: qty)
        }
        try ctx.transition(
            &order, to: order.state == .partiallyShipped ? .partiallyShipped : next, command: "order.pick",
            details: ["picked": .array(picks.map { ["line_no": .int($0.0), "qty": .int($0.1)] })])
        return try ctx.document(order)
    }

    // MARK: - Verified packing

    static let pack = Command(
        "order.pack", .write,
        "Pack a parcel, verified: scans = [order code, each item's barcode...], weight_g measured (packaging_g, "
            + "partial)",
        roleRule: "a supervisor to state packaging_g above fulfillment.packaging_g + fulfillment.packaging_allowance_g",
        recordsFailures: true,
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("weight_g", .integer, "The parcel's weight on the scale", required: true, positional: true),
            Argument("scans", .codes, "The barcodes scanned, item by item"),
            Argument("packaging_g", .integer, "The box and filler's weight, when not the default"),
            Argument("partial", .boolean, "Pack what was scanned and leave the rest for another parcel"),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        guard let scans = try f.strings("scans", maxCount: 10_000), let first = scans.first else {
            throw OrderCoreError.invalid("scans is required: the order code, then each item's barcode", field: "scans")
        }
        let weight = try f.requiredInt("weight_g", min: 0, max: 1_000_000_000)
        let packaging = try f.int("packaging_g", min: 0, max: 1_000_000)
        let partial = try f.bool("partial") ?? false
        try f.finish()
        // Stated packaging is subtracted from what the scale says: a generous figure would let any
        // parcel pass, so beyond the allowance it is a weight override, a supervisor's.
        let defaultPackaging = try ctx.intSetting(.packagingGrams)
        if let packaging, packaging > defaultPackaging + (try ctx.intSetting(.packagingAllowanceGrams)) {
            try ctx.requireRole(.supervisor, to: "stating \(packaging) g of packaging (a weight override)")
        }
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.pack")
        guard first == order.orderID else {
            throw OrderCoreError(
                .conflict,
                "the first scan must be this order's code \(order.orderID), not \(first): one order, one code",
                details: ["order_id": .string(order.orderID), "scanned": .string(first), "reason": "wrong_order"])
        }
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        var expected: [String: Int64] = [:]
        for line in lines { expected[line.sku, default: 0] += line.quantity(.allocated) - line.quantity(.packed) }
        expected = expected.filter { $0.value > 0 }
        let items = Array(scans.dropFirst())
        let skus = try ctx.store.skus(Array(Set(lines.map(\.sku))))
        let byBarcode = try ctx.store.skuCodes(barcodes: Array(Set(items)))
        // A SKU without a barcode is scanned by its code.
        let scanned = items.map { code in byBarcode[code] ?? (skus[code]?.barcode == nil ? skus[code]?.sku : nil) }
        let check = PackCheck.check(scanned: scanned, codes: items, expected: expected, partial: partial)
        guard check.passed, !items.isEmpty else {
            var problems: [String] = check.wrong.map {
                "wrong item \($0)" + (byBarcode[$0].map { " (\($0) is not in this order)" } ?? "")
            }
            problems += check.missing.sorted { $0.key < $1.key }.map { "missing \($0.value) \($0.key)" }
            problems += check.extra.sorted { $0.key < $1.key }.map { "extra \($0.value) \($0.key)" }
            if items.isEmpty { problems.append("no items scanned") }
            throw OrderCoreError(
                .conflict, "pack check failed: " + problems.joined(separator: ", "),
                details: [
                    "reason": "pack_mismatch", "wrong": .array(check.wrong.map(JSON.string)),
                    "missing": .array(
                        check.missing.sorted { $0.key < $1.key }.map {
                            ["sku": .string($0.key), "qty": .int($0.value)]
                        }),
                    "extra": .array(
                        check.extra.sorted { $0.key < $1.key }.map { ["sku": .string($0.key), "qty": .int($0.value)] }),
                ])
        }
        // The parcel's units, spread over the order's lines: of a SKU on several lines, the dearest first — what
        // leaves is what was paid for, and a free gift of the item bought is what a shortage leaves behind.
        var counts: [String: Int64] = [:]
        for sku in scanned.compactMap({ $0 }) { counts[sku, default: 0] += 1 }
        let shared = Set(Dictionary(grouping: lines, by: \.sku).filter { $0.value.count > 1 }.keys)
        let worth = shared.isEmpty ? nil : try ctx.refundAllocation(order, lines: lines)
        var parcelLines: [(lineNo: Int64, sku: String, qty: Int64)] = []
        for sku in Set(lines.map(\.sku)) where counts[sku] != nil {
            for i in OrderCommands.linesOf(sku, lines, by: worth, cheapestFirst: false) {
                let take = min(counts[sku] ?? 0, lines[i].quantity(.allocated) - lines[i].quantity(.packed))
                guard take > 0 else { continue }
                counts[sku]? -= take
                parcelLines.append((lines[i].lineNo, sku, take))
            }
        }
        parcelLines.sort { $0.lineNo < $1.lineNo }
        // The weight check: items' weights plus packaging, when every item has a weight.
        let unknownWeight = parcelLines.contains { skus[$0.sku]?.weightGrams == nil }
        let expectedWeight =
            unknownWeight
            ? nil
            : parcelLines.reduce(packaging ?? defaultPackaging) {
                $0 + $1.qty * (skus[$1.sku]?.weightGrams ?? 0)
            }
        let tolerance = try ctx.intSetting(.weightTolerancePercent)
        let held = expectedWeight.map { abs(weight - $0) * 100 > tolerance * max($0, 1) } ?? false
        let seq = try ctx.store.insertParcel(
            orderRowID: order.rowID, state: held ? .weightHold : .packed, weight: weight,
            expected: expectedWeight, at: ctx.at, by: ctx.actor)
        for line in parcelLines {
            try ctx.store.insertParcelLine(
                orderRowID: order.rowID, seq: seq, lineNo: line.lineNo, sku: line.sku, qty: line.qty)
            try ctx.store.addLineQuantity(.packed, orderRowID: order.rowID, lineNo: line.lineNo, qty: line.qty)
            let current = lines.first { $0.lineNo == line.lineNo }
            let pickedShort = (current?.quantity(.packed) ?? 0) + line.qty - (current?.quantity(.picked) ?? 0)
            if pickedShort > 0 {
                try ctx.store.addLineQuantity(.picked, orderRowID: order.rowID, lineNo: line.lineNo, qty: pickedShort)
            }
        }
        let allPacked = try ctx.store.lines(orderRowID: order.rowID).allSatisfy {
            $0.quantity(.packed) >= $0.quantity(.allocated)
        }
        var details: JSONObject = [
            "parcel": .int(seq), "weight_g": .int(weight), "expected_g": expectedWeight.map(JSON.int) ?? .null,
            "weight_check": .string(unknownWeight ? "skipped: an item has no weight" : held ? "held" : "passed"),
        ]
        if held { details["tolerance_percent"] = .int(tolerance) }
        if let packaging, packaging > defaultPackaging { details["packaging_g"] = .int(packaging) }
        let after: OrderState = order.state == .partiallyShipped ? .partiallyShipped : allPacked ? .packed : .picking
        try ctx.transition(&order, to: after, command: "order.pack", details: .object(details))
        return try ctx.document(order, extra: ["parcel": .object(details)])
    }

    static let unpack = Command(
        "order.unpack", .write,
        "Take apart the parcels of an order that have not shipped (order_id, reason): their units go back to picked, "
            + "to be packed again",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("reason", .text, required: true, positional: true),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let reason = try f.requiredReason("the parcel is opened")
        try f.finish()
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.unpack")
        guard try ctx.unpack(&order, reason: reason) else {
            throw OrderCoreError(
                .conflict, "order \(id) has no parcel waiting to ship",
                details: ["order_id": .string(id), "state": .string(order.state.rawValue), "reason": "nothing_packed"])
        }
        return try ctx.document(order)
    }

    static let overrideWeight = Command(
        "order.override_weight", .write,
        "Let a parcel held by the weight check ship, recording who decided and why (order_id, parcel, reason); a "
            + "supervisor's decision",
        role: .supervisor,
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("parcel", .integer, required: true, positional: true),
            Argument("reason", .text, required: true, positional: true),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let seq = try f.requiredInt("parcel", min: 1)
        let reason = try f.requiredReason("the weight is acceptable")
        try f.finish()
        var order = try ctx.requireOrder(id)
        guard let parcel = try ctx.store.parcels(orderRowID: order.rowID).first(where: { $0.seq == seq }) else {
            throw OrderCoreError(
                .notFound, "order \(id) has no parcel \(seq)", details: ["order_id": .string(id), "parcel": .int(seq)])
        }
        guard parcel.state == .weightHold else {
            throw OrderCoreError(
                .conflict, "parcel \(seq) of \(id) is \(parcel.state.rawValue), not held by the weight check",
                details: ["parcel": .int(seq), "state": .string(parcel.state.rawValue)])
        }
        try ctx.store.setParcel(
            orderRowID: order.rowID, seq: seq, state: .packed, overrideBy: ctx.actor, overrideReason: reason)
        try ctx.transition(
            &order, to: order.state, command: "order.override_weight",
            details: [
                "parcel": .int(seq), "reason": .string(reason), "weight_g": parcel.weight.map(JSON.int) ?? .null,
                "expected_g": parcel.expected.map(JSON.int) ?? .null,
            ])
        return try ctx.document(order)
    }

    // MARK: - Shipping

    static let ship = Command(
        "order.ship", .write,
        "Ship packed parcels with a carrier and tracking number (order_id, carrier, tracking_no, parcels = every "
            + "packed one)",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("carrier", .code, "The carrier code", required: true, positional: true),
            .key("tracking_no"),
            Argument("parcels", .array, "Which packed parcels ship (default: all)"),
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let carrier = try f.requiredCode("carrier")
        let trackingNo = try f.requiredCode("tracking_no")
        let chosen = try f.value("parcels").map { v throws(OrderCoreError) -> [Int64] in
            guard case .array(let items) = v, !items.isEmpty else {
                throw .invalid("parcels must be a list of parcel numbers", field: "parcels")
            }
            return try items.map { item throws(OrderCoreError) in
                guard let n = item.intValue, n > 0 else {
                    throw .invalid("parcels must be a list of parcel numbers", field: "parcels")
                }
                return n
            }
        }
        try f.finish()
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.ship")
        let parcels = try ctx.store.parcels(orderRowID: order.rowID)
        for seq in chosen ?? [] where !parcels.contains(where: { $0.seq == seq }) {
            throw OrderCoreError(
                .notFound, "order \(id) has no parcel \(seq)", details: ["order_id": .string(id), "parcel": .int(seq)])
        }
        let wanted = parcels.filter { chosen?.contains($0.seq) ?? ($0.state != .shipped) }
        if let held = wanted.first(where: { $0.state == .weightHold }) {
            throw OrderCoreError(
                .conflict,
                "parcel \(held.seq) weighs \(held.weight ?? 0) g against \(held.expected ?? 0) g expected; a "
                    + "supervisor must override it (order.override_weight)",
                details: [
                    "parcel": .int(held.seq), "reason": "weight_hold", "weight_g": held.weight.map(JSON.int) ?? .null,
                    "expected_g": held.expected.map(JSON.int) ?? .null,
                ])
        }
        if let gone = wanted.first(where: { $0.state == .shipped }) {
            throw OrderCoreError(
                .conflict, "parcel \(gone.seq) has shipped already",
                details: ["parcel": .int(gone.seq), "reason": "shipped"])
        }
        guard !wanted.isEmpty else {
            throw OrderCoreError(
                .conflict, "order \(id) has no packed parcel to ship (pack it with order.pack first)",
                details: ["order_id": .string(id), "state": .string(order.state.rawValue)])
        }
        guard try !ctx.store.shipmentExists(carrier: carrier, trackingNo: trackingNo) else {
            throw OrderCoreError(
                .conflict, "\(carrier) tracking number \(trackingNo) is already on a shipment",
                details: ["carrier": .string(carrier), "tracking_no": .string(trackingNo)])
        }
        let shipment = try ctx.store.insertShipment(
            orderRowID: order.rowID, carrier: carrier, trackingNo: trackingNo, at: ctx.at)
        var leaving: [Int64: Int64] = [:]  // per line number, the units this shipment takes
        for parcel in wanted {
            for line in parcel.lines { leaving[line.lineNo, default: 0] += line.qty }
            try ctx.store.setParcel(orderRowID: order.rowID, seq: parcel.seq, state: .shipped, shipmentSeq: shipment)
        }
        let allOut = try ctx.store.lines(orderRowID: order.rowID).allSatisfy {
            $0.quantity(.shipped) + (leaving[$0.lineNo] ?? 0) + $0.quantity(.cancelled) >= $0.qty
        }
        try ctx.transition(
            &order, to: allOut ? .shipped : .partiallyShipped, command: "order.ship",
            details: [
                "shipment": .int(shipment), "carrier": .string(carrier), "tracking_no": .string(trackingNo),
                "parcels": .array(wanted.map { .int($0.seq) }), "units": .int(leaving.values.reduce(0, +)),
            ])
        // The units leave last: the balance rows, which every checkout of these SKUs waits for, are locked
        // (in SKU, then warehouse order) only for what is left of the transaction.
        try ctx.store.lockHeldBalances(orderRowID: order.rowID)
        for parcel in wanted {
            for line in parcel.lines { try ctx.handOver(order, lineNo: line.lineNo, qty: line.qty, reason: .ship) }
        }
        // The carrier may have scanned the label before the warehouse said it shipped.
        try ctx.replayTracking(carrier: carrier, trackingNo: trackingNo, order: &order)
        return try ctx.document(order)
    }

    // MARK: - Delivery

    static let deliver = Command(
        "order.deliver", .write,
        "Record delivery of an order's shipments (order_id, tracking_no = every shipment); delivered once every unit "
            + "is",
        sharing: .concurrent,
        arguments: [
            .orderID,
            Argument("tracking_no", .code, "One shipment (default: all)", positional: true),
        ],
        result: ["order_id", "state"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let trackingNo = try f.code("tracking_no")
        try f.finish()
        var order = try ctx.requireOrder(id)
        _ = try ctx.next(order, "order.deliver")
        let open = try ctx.store.shipments(orderRowID: order.rowID).filter {
            $0.state != "delivered" && (trackingNo == nil || $0.trackingNo == trackingNo)
        }
        guard !open.isEmpty else {
            throw OrderCoreError(
                .conflict,
                trackingNo.map { "order \(id) has no undelivered shipment \($0)" }
                    ?? "every shipment of \(id) is delivered",
                details: ["order_id": .string(id)])
        }
        try ctx.deliver(&order, shipments: open, command: "order.deliver")
        return try ctx.document(order)
    }

    static let complete = Command(
        "order.complete", .write,
        "Complete a delivered order (the sweep does it fulfillment.complete_after_days after delivery) (order_id)",
        sharing: .concurrent,
        arguments: [
            .orderID
        ],
        result: OrderDetail.members
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        var order = try ctx.requireOrder(id)
        let next = try ctx.next(order, "order.complete")
        try ctx.transition(&order, to: next, command: "order.complete")
        return try ctx.document(order)
    }

    // MARK: - Packing slip

    static let packingSlip = Command(
        "order.packing_slip", .read,
        "The packing slip as text: order number, ship-to and lines, for the order or one parcel (order_id, parcel)",
        arguments: [
            .orderID,
            Argument("parcel", .integer, "One parcel's slip (default: the whole order)", positional: true),
        ],
        result: ["order_id", "parcel", "text"],
        aliases: ["order slip"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let seq = try f.int("parcel", min: 1)
        try f.finish()
        let order = try ctx.requireOrder(id)
        let lines = try ctx.store.lines(orderRowID: order.rowID)
        var items: [(lineNo: Int64, sku: String, qty: Int64)] = lines.map {
            ($0.lineNo, $0.sku, $0.notCancelled)
        }
        var title = "PACKING SLIP  \(order.orderID)"
        if let seq {
            let parcels = try ctx.store.parcels(orderRowID: order.rowID)
            guard let parcel = parcels.first(where: { $0.seq == seq }) else {
                throw OrderCoreError(
                    .notFound, "order \(id) has no parcel \(seq)",
                    details: ["order_id": .string(id), "parcel": .int(seq)])
            }
            items = parcel.lines
            title += "  parcel \(seq) of \(parcels.count)"
        }
        let names = Dictionary(uniqueKeysWithValues: lines.map { ($0.lineNo, $0.name) })
        let skus = try ctx.store.skus(Array(Set(items.map(\.sku))))
        let address = ["name", "phone", "line1", "line2", "district", "city", "region", "postal_code", "country"]
            .compactMap { order.shipTo[$0] }.filter { !$0.isEmpty }
        var text = [
            title,
            "Placed \(Timestamp.format(order.placedAt).prefix(10))  Channel \(order.channel)"
                + (order.externalID.map { "  Channel order \($0)" } ?? ""),
            "Ship to: " + address.joined(separator: ", "), "",
            "LINE  SKU                 QTY  ITEM",
        ]
        for item in items where item.qty > 0 {
            let name = names[item.lineNo].flatMap { $0 } ?? skus[item.sku]?.name ?? ""
            text.append(
                String(item.lineNo).padding(to: 6) + item.sku.padding(to: 20) + String(item.qty).padding(to: 5) + name)
        }
        text.append("")
        text.append("Units: \(items.reduce(0) { $0 + $1.qty })")
        if let note = order.note { text.append("Note: \(note)") }
        return [
            "order_id": .string(id), "parcel": seq.map(JSON.int) ?? .null,
            "text": .string(text.joined(separator: "\n") + "\n"),
        ]
    }

    /// `lines: [{"line_no": n, "qty": q}]`, each line once; nil when absent.
    static func lineQuantities(_ f: Fields) throws -> [(Int64, Int64)]? {
        guard let entries = try f.objects("lines", maxCount: 1_000) else { return nil }
        var seen = Set<Int64>()
        return try entries.map { e in
            let lineNo = try e.requiredInt("line_no", min: 1)
            let qty = try e.quantity("qty")
            try e.finish()
            guard seen.insert(lineNo).inserted else {
                throw OrderCoreError.invalid("line \(lineNo) appears twice", field: e.name("line_no"))
            }
            return (lineNo, qty)
        }
    }
}

extension CommandContext {
    /// Puts the order on hold where it is: it remembers the state it left (`held_from`), and an unpaid one's
    /// clock stops — its holds stop expiring until `order.release` resumes it (or a payment ends it).
    func hold(_ order: inout Order, reason: String, command: String, details: JSONObject) throws {
        let from = order.state
        try transition(&order, to: .onHold, command: command, details: .object(details)) {
            $0.heldFrom = from
            $0.holdReason = reason
        }
        if order.expiresAt != nil { try store.setReservationExpiry(orderRowID: order.rowID, nil) }
    }

    /// Whether units of the order are picked or packed here and have not left: picked and not packed, or in a
    /// parcel that has not left.
    func hasUnitsInHand(_ order: Order, lines: [OrderLine]) throws -> Bool {
        try lines.contains { $0.quantity(.picked) > $0.quantity(.packed) }
            || store.parcels(orderRowID: order.rowID).contains { $0.shipment == nil }
    }

    /// Takes apart the order's parcels that have not left: their units go back to picked, still held for the
    /// order, and must be packed again (verified as before). A packed order goes back to picking; a partly
    /// shipped one stays so, and a held one waits in picking. Shipped parcels are never touched.
    /// - Parameter holding: only if one of those parcels holds units of these lines (by line number).
    /// - Returns: whether there was a parcel to take apart.
    func unpack(_ order: inout Order, reason: String, holding: Set<Int64>? = nil) throws -> Bool {
        let parcels = try store.parcels(orderRowID: order.rowID).filter { $0.shipment == nil }
        guard !parcels.isEmpty,
            holding.map({ lines in parcels.contains { $0.lines.contains { lines.contains($0.lineNo) } } }) ?? true
        else { return false }
        for parcel in parcels {
            for line in parcel.lines {
                try store.addLineQuantity(.packed, orderRowID: order.rowID, lineNo: line.lineNo, qty: -line.qty)
            }
        }
        try store.removeUnshippedParcels(orderRowID: order.rowID)
        try transition(
            &order, to: order.state == .packed ? .picking : order.state, command: "order.unpack",
            details: ["reason": .string(reason), "parcels": .array(parcels.map(\.json))]
        ) { if $0.heldFrom == .packed { $0.heldFrom = .picking } }
        return true
    }

    /// Lifts a held order's hold: back to the state it was held in, or held still for a hold that stands
    /// besides it (`standingHold`). An unpaid order's timeout resumes where the hold stopped it.
    func lift(_ order: inout Order, command: String, reason: String?) throws {
        // Lifting one hold lifts no other: a hold that still stands takes its place.
        if let standing = try standingHold(order) {
            try transition(
                &order, to: .onHold, command: command,
                details: ["reason": .optional(reason), "still_held": .string(standing)]
            ) { $0.holdReason = standing }
            return
        }
        // The unpaid timeout resumes where the hold stopped it (a pre-sale's balance stays due when it was).
        var expiresAt = order.expiresAt
        if order.stage == .pendingPayment, let lapse = expiresAt, let since = order.stateSince, at > since {
            let (resumed, overflow) = lapse.addingReportingOverflow(at - since)
            expiresAt = overflow ? Int64.max : resumed
        }
        try transition(&order, to: order.stage, command: command, details: ["reason": .optional(reason)]) {
            $0.heldFrom = nil
            $0.holdReason = nil
            $0.expiresAt = expiresAt
        }
        if let expiresAt { try store.setReservationExpiry(orderRowID: order.rowID, expiresAt) }
    }

    /// The reason of a hold that stands besides the one a held order has now, which is being lifted: the
    /// risk rules' (their decision to hold, not reviewed yet), then its channel's (its last report asks not
    /// to ship: JD `LOCKED`, a refund asked for). A hold is placed once, on the order as it is, so one
    /// asked for while another was on is found here; then a chargeback's that still takes the money back.
    func standingHold(_ order: Order) throws -> String? {
        let lifting = order.holdReason ?? ""
        if !lifting.hasPrefix(Self.riskHoldPrefix), let risk = try store.risk(orderRowID: order.rowID),
            risk["decision"]?.stringValue == RiskDecision.hold.rawValue, RiskCommands.waitsForReview(risk)
        {
            return Self.riskHoldReason(
                score: risk["score"]?.intValue ?? 0,
                reasons: risk["reasons"]?.arrayValue?.compactMap { $0["reason"]?.stringValue } ?? [])
        }
        if !lifting.hasPrefix(Self.channelHoldPrefix),
            try store.sourceState(orderRowID: order.rowID, source: order.channel) == .onHold
        {
            return Self.channelHoldReason(order.channel)
        }
        if let chargeback = try chargebackHold(order), chargeback != lifting { return chargeback }
        return nil
    }

    /// Marks shipments delivered, counts their units as delivered on the lines, and moves a fully
    /// shipped order whose every shipment is delivered to `delivered`.
    /// - Parameter deliveredAt: when the carrier delivered (its event's time); the command's time when
    ///   nobody says. The timeline keeps both: its step is stamped when OrderCore learnt of it.
    func deliver(
        _ order: inout Order, shipments: [Shipment], command: String, details extra: JSONObject = [:],
        deliveredAt: Int64? = nil
    ) throws {
        let parcels = try store.parcels(orderRowID: order.rowID)
        let deliveredAt = deliveredAt ?? at
        for shipment in shipments {
            try store.markDelivered(orderRowID: order.rowID, seq: shipment.seq, at: deliveredAt)
            for parcel in parcels where parcel.shipment == shipment.seq {
                for line in parcel.lines {
                    try store.addLineQuantity(.delivered, orderRowID: order.rowID, lineNo: line.lineNo, qty: line.qty)
                }
            }
        }
        let delivered = try store.shipments(orderRowID: order.rowID).allSatisfy { $0.state == "delivered" }
        let everyUnit = order.state == .shipped && delivered
        if everyUnit {
            // A shipment a channel recorded has no parcels to say whose units it carried: every unit
            // shipped is delivered now.
            for line in try store.lines(orderRowID: order.rowID)
            where line.quantity(.shipped) > line.quantity(.delivered) {
                try store.addLineQuantity(
                    .delivered, orderRowID: order.rowID, lineNo: line.lineNo,
                    qty: line.quantity(.shipped) - line.quantity(.delivered))
            }
        }
        var details = extra
        details["shipments"] = .array(shipments.map { .int($0.seq) })
        details["delivered_at"] = .string(Timestamp.format(deliveredAt))
        try transition(&order, to: everyUnit ? .delivered : order.state, command: command, details: .object(details)) {
            if everyUnit { $0.deliveredAt = deliveredAt }
        }
    }
}
