/// Decides where the units of an order come from. Pure: it sees availability values and returns a
/// plan; the store then applies the plan with conditional writes.
enum ReservationPlanner {
    struct Line { var lineNo: Int64; var sku: String; var qty: Int64 }
    struct Source { var warehouse: String; var available: Int64 }
    struct Take: Equatable { var lineNo: Int64; var sku: String; var warehouse: String; var qty: Int64 }

    /// - Parameters:
    ///   - lines: the order lines.
    ///   - sources: per SKU, the warehouses that may ship it, in preference order.
    /// - Returns: the plan. One warehouse that can ship the whole order is preferred (one parcel);
    ///   otherwise each line comes from the first warehouse that has all of it, else it is split
    ///   across warehouses in preference order.
    /// - Throws: `insufficient_stock` naming the first SKU whose total demand exceeds what is available.
    static func plan(_ lines: [Line], sources: [String: [Source]]) throws(OrderCoreError) -> [Take] {
        try plan(lines, sources: sources, allowShort: false)
    }

    /// - Parameter allowShort: plan what is available and leave the rest short (backordered) instead of
    ///   failing: each SKU's available units go to its lines in line order.
    static func plan(_ lines: [Line], sources: [String: [Source]], allowShort: Bool) throws(OrderCoreError) -> [Take] {
        guard allowShort else { return try planWhole(lines, sources: sources) }
        var left: [String: Int64] = [:]
        for (sku, pool) in sources {
            left[sku] = pool.reduce(Int64(0)) { total, s in
                total.addingReportingOverflow(s.available).overflow ? .max : total + max(0, s.available)
            }
        }
        var clamped: [Line] = []
        for line in lines {
            let take = min(line.qty, left[line.sku] ?? 0)
            left[line.sku] = (left[line.sku] ?? 0) - take
            if take > 0 { clamped.append(Line(lineNo: line.lineNo, sku: line.sku, qty: take)) }
        }
        return clamped.isEmpty ? [] : try planWhole(clamped, sources: sources)
    }

    private static func planWhole(_ lines: [Line], sources: [String: [Source]]) throws(OrderCoreError) -> [Take] {
        var demand: [String: Int64] = [:]
        for line in lines {
            let (sum, overflow) = demand[line.sku, default: 0].addingReportingOverflow(line.qty)
            guard !overflow else { throw .invalid("total quantity of \(line.sku) does not fit in 64 bits") }
            demand[line.sku] = sum
        }
        for line in lines {  // first short SKU in line order, so the error is predictable
            let available = (sources[line.sku] ?? []).reduce(Int64(0)) { total, source in
                let (sum, overflow) = total.addingReportingOverflow(source.available)
                return overflow ? .max : sum
            }
            let wanted = demand[line.sku] ?? 0
            if wanted > available {
                throw OrderCoreError(
                    .insufficientStock,
                    "insufficient stock for \(line.sku): requested \(wanted), available \(available)",
                    details: ["sku": .string(line.sku), "requested": .int(wanted), "available": .int(available)])
            }
        }
        // Every warehouse that can ship the whole order stocks the first line's SKU, so its sources
        // (already in preference order) are the candidates.
        for source in sources[lines.first?.sku ?? ""] ?? [] {
            let fillsAll = demand.allSatisfy { sku, qty in
                (sources[sku] ?? []).first { $0.warehouse == source.warehouse }.map { $0.available >= qty } ?? false
            }
            if fillsAll {
                return lines.map { Take(lineNo: $0.lineNo, sku: $0.sku, warehouse: source.warehouse, qty: $0.qty) }
            }
        }
        var remaining = sources
        var plan: [Take] = []
        for line in lines {
            var pool = remaining[line.sku] ?? []
            if let whole = pool.firstIndex(where: { $0.available >= line.qty }) {
                pool[whole].available -= line.qty
                plan.append(Take(lineNo: line.lineNo, sku: line.sku, warehouse: pool[whole].warehouse, qty: line.qty))
            } else {
                var needed = line.qty
                for i in pool.indices where needed > 0 && pool[i].available > 0 {
                    let take = min(needed, pool[i].available)
                    pool[i].available -= take
                    needed -= take
                    plan.append(Take(lineNo: line.lineNo, sku: line.sku, warehouse: pool[i].warehouse, qty: take))
                }
            }
            remaining[line.sku] = pool
        }
        return plan
    }
}
