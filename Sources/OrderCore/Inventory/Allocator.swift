#if canImport(Glibc)
import Glibc
#endif

/// Chooses the warehouses that ship an order. Pure: capacities in, decision out.
enum Allocator {
    struct Site {
        var warehouse: String
        var priority: Int64
        /// The warehouse serves the order's ship-to region.
        var local: Bool
        /// Configured distance to the ship-to region (nil: unknown, ranked last).
        var distance: Int64?
        /// Units of each SKU this order may take there: what is available plus what it already holds.
        var capacity: [String: Int64]
        /// Where it is, when known (transfers only come from within the radius).
        var location: Location? = nil
    }

    /// A point on the globe in microdegrees.
    struct Location: Equatable {
        var latitude: Int64
        var longitude: Int64

        /// Great-circle distance in whole km (haversine, Earth radius 6,371 km).
        func kilometres(to other: Location) -> Int64 {
            func radians(_ micro: Int64) -> Double { Double(micro) / 1_000_000 * .pi / 180 }
            let dLat = radians(other.latitude - latitude), dLon = radians(other.longitude - longitude)
            let a =
                sin(dLat / 2) * sin(dLat / 2)
                + cos(radians(latitude)) * cos(radians(other.latitude)) * sin(dLon / 2) * sin(dLon / 2)
            return Int64((2 * 6_371 * atan2(a.squareRoot(), (1 - a).squareRoot())).rounded())
        }
    }

    /// How far transfers may come from and how long they take (`transfers.radius_km`, `transfers.lead_days`).
    struct TransferRules {
        var radiusKm: Int64 = 200
        /// Days per "FROM>TO" pair; a pair not named takes 1 (T+1).
        var leadDays: [String: Int64] = [:]

        func days(from: String, to: String) -> Int64 { leadDays["\(from)>\(to)"] ?? 1 }
    }

    struct Take: Equatable { var lineNo: Int64; var sku: String; var warehouse: String; var qty: Int64 }
    struct Move: Equatable {
        var sku: String
        var qty: Int64
        var from: String
        var to: String
        /// Known when both warehouses have coordinates.
        var distanceKm: Int64? = nil
        var leadDays: Int64 = 1
    }

    enum Decision: String { case single, split, backorder }

    struct Result {
        var decision: Decision
        var reason: String
        var takes: [Take] = []
        var transferProposal: [Move] = []
        var short: [String: Int64] = [:]

        /// The decision as the order records it (`allocation` in the order document).
        func json(region: String?, at: Int64) -> JSON {
            var object: JSONObject = [
                "decision": .string(decision.rawValue), "reason": .string(reason), "region": .optional(region),
                "at": .string(Timestamp.format(at)),
                "allocations": .array(
                    takes.map {
                        [
                            "line_no": .int($0.lineNo), "sku": .string($0.sku), "warehouse": .string($0.warehouse),
                            "qty": .int($0.qty),
                        ]
                    }),
            ]
            if !transferProposal.isEmpty {
                object["transfer_proposal"] = .array(
                    transferProposal.map {
                        [
                            "sku": .string($0.sku), "qty": .int($0.qty), "from": .string($0.from), "to": .string($0.to),
                            "distance_km": $0.distanceKm.map(JSON.int) ?? .null, "lead_days": .int($0.leadDays),
                            "expected_at": .string(Timestamp.format(at + $0.leadDays * 86_400_000)),
                        ]
                    })
            }
            if !short.isEmpty {
                let missing = JSON.array(short.keys.sorted().map { ["sku": .string($0), "qty": .int(short[$0] ?? 0)] })
                object["short"] = missing
                // No warehouse can serve it: buy the missing units now, not at the next reorder point.
                object["urgent_purchase"] = missing
            }
            return .object(object)
        }
    }

    /// - Parameter lines: `(lineNo, sku, qty)` in line order.
    static func plan(
        _ lines: [(lineNo: Int64, sku: String, qty: Int64)], sites: [Site], transfers: TransferRules = TransferRules()
    ) -> Result {
        var demand: [String: Int64] = [:]
        for line in lines { demand[line.sku, default: 0] += line.qty }  // bounded by OrderDraft's line limits
        func fillsAll(_ site: Site) -> Bool { demand.allSatisfy { site.capacity[$0.key, default: 0] >= $0.value } }
        func single(_ site: Site, _ reason: String) -> Result {
            Result(
                decision: .single, reason: reason,
                takes: lines.map { Take(lineNo: $0.lineNo, sku: $0.sku, warehouse: site.warehouse, qty: $0.qty) })
        }
        let locals = sites.filter(\.local).sorted { ($0.priority, $0.warehouse) < ($1.priority, $1.warehouse) }
        let byDistance = sites.sorted {
            ($0.local ? 0 : 1, $0.distance ?? .max, $0.priority, $0.warehouse)
                < ($1.local ? 0 : 1, $1.distance ?? .max, $1.priority, $1.warehouse)
        }
        if let site = locals.first(where: fillsAll) {
            return single(site, "\(site.warehouse) serves the ship-to region and has every unit")
        }
        if locals.isEmpty, let site = byDistance.first(where: fillsAll) {
            return single(
                site, "no warehouse serves the ship-to region; \(site.warehouse) is the nearest with every unit")
        }
        var short: [String: Int64] = [:]
        for (sku, qty) in demand {
            let total = sites.reduce(Int64(0)) { $0 + min($1.capacity[sku, default: 0], qty) }
            if total < qty { short[sku] = qty - total }
        }
        if !short.isEmpty {
            return Result(
                decision: .backorder, reason: "not enough units in any combination of warehouses", short: short)
        }
        // Split: local warehouses first, then the nearest.
        var remaining = Dictionary(uniqueKeysWithValues: byDistance.map { ($0.warehouse, $0.capacity) })
        var takes: [Take] = []
        for line in lines {
            var needed = line.qty
            for site in byDistance where needed > 0 {
                let take = min(needed, remaining[site.warehouse]?[line.sku] ?? 0)
                guard take > 0 else { continue }
                remaining[site.warehouse]?[line.sku]? -= take
                needed -= take
                takes.append(Take(lineNo: line.lineNo, sku: line.sku, warehouse: site.warehouse, qty: take))
            }
        }
        // What would let the first local warehouse ship it in one parcel: the missing units from the nearest
        // warehouses within the transfer radius (those without coordinates are not ruled out).
        var proposal: [Move] = []
        if let home = locals.first {
            for sku in demand.keys.sorted() {
                var missing = demand[sku, default: 0] - home.capacity[sku, default: 0]
                for site in byDistance where site.warehouse != home.warehouse && missing > 0 {
                    let km = site.location.flatMap { from in home.location.map { from.kilometres(to: $0) } }
                    let move = min(missing, site.capacity[sku, default: 0])
                    guard move > 0, (km ?? 0) <= transfers.radiusKm else { continue }
                    proposal.append(
                        Move(
                            sku: sku, qty: move, from: site.warehouse, to: home.warehouse, distanceKm: km,
                            leadDays: transfers.days(from: site.warehouse, to: home.warehouse)))
                    missing -= move
                }
            }
        }
        let reason =
            locals.isEmpty
            ? "no warehouse has every unit; split by distance"
            : "no warehouse serving the ship-to region has every unit; split (or transfer as proposed to ship from "
                + "\(locals[0].warehouse))"
        return Result(decision: .split, reason: reason, takes: takes, transferProposal: proposal)
    }
}
