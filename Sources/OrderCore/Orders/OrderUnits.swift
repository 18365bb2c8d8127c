/// Units of an order a command names (`order.cancel`, `order.refund` `units`): those of one line (`line_no`),
/// exact, or of a SKU (`sku`), spread over its lines by the command's rule (`OrderCommands.linesOf`: a SKU on
/// several lines is cancelled cheapest first, refunded where its units are and the dearest first).
struct OrderUnits {
    var sku: String
    var lineNo: Int64?
    var qty: Int64

    /// As the timeline and the answer show them.
    var json: JSON {
        guard let lineNo else { return ["sku": .string(sku), "qty": .int(qty)] }
        return ["line_no": .int(lineNo), "sku": .string(sku), "qty": .int(qty)]
    }

    /// `units` as given, `[{"line_no" or "sku", "qty"}]`; nil when not given.
    static func parse(_ f: Fields) throws(OrderCoreError) -> [OrderUnits]? {
        try f.objects("units", maxCount: OrderDraft.maxLines)?.map { u throws(OrderCoreError) in
            let lineNo = try u.int("line_no", min: 1)
            let sku = try u.code("sku")
            guard lineNo != nil || sku != nil else {
                throw .invalid("\(u.name("sku")) or \(u.name("line_no")) is required", field: u.name("sku"))
            }
            let unit = OrderUnits(sku: sku ?? "", lineNo: lineNo, qty: try u.quantity("qty"))
            try u.finish()
            return unit
        }
    }

    /// The units with the SKU of each line named by number, those first: units named by SKU are then spread
    /// over what they leave. A line the order lacks is `not_found`; one named with a SKU not its own,
    /// `invalid_input`.
    static func resolved(_ units: [OrderUnits], _ lines: [OrderLine], orderID: String) throws -> [OrderUnits] {
        var numbered: [OrderUnits] = [], bySKU: [OrderUnits] = []
        for var unit in units {
            guard let lineNo = unit.lineNo else {
                bySKU.append(unit)
                continue
            }
            guard let line = lines.first(where: { $0.lineNo == lineNo }) else {
                throw OrderCoreError(
                    .notFound, "order \(orderID) has no line \(lineNo)",
                    details: ["order_id": .string(orderID), "line_no": .int(lineNo)])
            }
            guard unit.sku.isEmpty || unit.sku == line.sku else {
                throw OrderCoreError.invalid(
                    "line \(lineNo) of order \(orderID) is \(line.sku), not \(unit.sku)", field: "units")
            }
            unit.sku = line.sku
            numbered.append(unit)
        }
        return numbered + bySKU
    }

    /// The indices of the lines the units are taken from, in the order they are taken: the line named, or
    /// the lines of the SKU (`OrderCommands.linesOf`).
    func candidates(_ lines: [OrderLine], by allocation: RefundAllocation?, cheapestFirst: Bool) -> [Int] {
        guard let lineNo else { return OrderCommands.linesOf(sku, lines, by: allocation, cheapestFirst: cheapestFirst) }
        return lines.indices.filter { lines[$0].lineNo == lineNo }
    }

    /// Refuses the units, asked of an order (`id`) beyond what it has `left` to `verb` (cancel, refund):
    /// `not_found` when no line of the order is the SKU, else `conflict` naming how many are left (`details.left`).
    func refuse(left: Int64, of id: String, _ lines: [OrderLine], verb: String) throws -> Never {
        guard lines.contains(where: { $0.sku == sku }) else {
            throw OrderCoreError(
                .notFound, "order \(id) has no line of \(sku)", details: ["order_id": .string(id), "sku": .string(sku)])
        }
        var details: JSONObject = ["order_id": .string(id), "sku": .string(sku), "left": .int(left)]
        if let lineNo { details["line_no"] = .int(lineNo) }
        throw OrderCoreError(
            .conflict,
            "order \(id) has \(left) unit(s) of \(sku)\(lineNo.map { " on line \($0)" } ?? "") left to \(verb); "
                + "\(qty) asked",
            details: .object(details))
    }
}
