/// A packed box: what went in (verified by scanning) and what it weighed against what it should.
struct Parcel {
    enum State: String { case packed, weightHold = "weight_hold", shipped }

    var seq: Int64
    var state: State
    var weight: Int64?
    var expected: Int64?
    var packedAt: Int64
    var overrideBy: String?
    var overrideReason: String?
    /// The shipment it left with.
    var shipment: Int64?
    var lines: [(lineNo: Int64, sku: String, qty: Int64)] = []

    var json: JSON {
        [
            "parcel": .int(seq), "state": .string(state.rawValue), "weight_g": weight.map(JSON.int) ?? .null,
            "expected_g": expected.map(JSON.int) ?? .null, "packed_at": .string(Timestamp.format(packedAt)),
            "override_by": .optional(overrideBy), "override_reason": .optional(overrideReason),
            "shipment": shipment.map(JSON.int) ?? .null,
            "lines": .array(lines.map { ["line_no": .int($0.lineNo), "sku": .string($0.sku), "qty": .int($0.qty)] }),
        ]
    }
}

struct Shipment {
    var seq: Int64
    var carrier: String
    var trackingNo: String
    var state: String
    var shippedAt: Int64
    var deliveredAt: Int64?
    /// The channel's id of the parcel (a Shopify fulfillment, an Amazon package) for one a channel shipped.
    var parcelRef: String? = nil

    var json: JSON {
        [
            "shipment": .int(seq), "carrier": .string(carrier), "tracking_no": .string(trackingNo),
            "state": .string(state),
            "shipped_at": .string(Timestamp.format(shippedAt)),
            "delivered_at": deliveredAt.map { .string(Timestamp.format($0)) } ?? .null,
        ]
    }
}

/// The pack check: the scanned items against what remains to be packed. Pure.
enum PackCheck {
    struct Result: Equatable {
        var wrong: [String] = []  // scanned codes that are not items of this order
        var missing: [String: Int64] = [:]  // SKU -> units expected but not scanned
        var extra: [String: Int64] = [:]  // SKU -> units scanned beyond what is expected

        var passed: Bool { wrong.isEmpty && missing.isEmpty && extra.isEmpty }
    }

    /// - Parameters:
    ///   - scanned: SKU per scanned item (nil for a code that matches no SKU of the order).
    ///   - codes: the scanned codes, for naming wrong items.
    ///   - expected: SKU -> units still to pack.
    ///   - partial: a parcel with part of the order (a split shipment): fewer units are not "missing".
    static func check(scanned: [String?], codes: [String], expected: [String: Int64], partial: Bool) -> Result {
        var result = Result()
        var counts: [String: Int64] = [:]
        for (sku, code) in zip(scanned, codes) {
            if let sku, expected[sku] != nil { counts[sku, default: 0] += 1 } else { result.wrong.append(code) }
        }
        for (sku, want) in expected {
            let got = counts[sku, default: 0]
            if got > want { result.extra[sku] = got - want }
            if got < want && !partial { result.missing[sku] = want - got }
        }
        return result
    }
}
