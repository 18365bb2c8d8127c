/// Balances of one SKU in one warehouse.
struct StockBalance {
    /// The most units one bucket of one balance holds (10^12): far beyond any warehouse, and small
    /// enough that sums over millions of balances or ledger rows fit 64 bits.
    static let maxUnits: Int64 = 1_000_000_000_000

    var sku: String
    var warehouse: String
    var priority: Int64 = 0
    var onHand: Int64 = 0
    var reserved: Int64 = 0
    var quarantine: Int64 = 0
    var safety: Int64 = 0
    /// The reservation buffer (`inventory.sell_percent`): sell at most this percent of on hand.
    var sellPercent: Int64 = 100

    /// On-hand units that may be sold: `sellPercent` percent of on hand, rounded down, computed without
    /// overflow for any Int64 (the same expression as the conditional reserve in SQL).
    var sellableOnHand: Int64 { onHand / 100 * sellPercent + onHand % 100 * sellPercent / 100 }

    /// Units that can still be promised: sellable on hand less reserved less safety stock, never below zero.
    var available: Int64 { max(0, sellableOnHand - reserved - safety) }

    subscript(bucket: LedgerEntry.Bucket) -> Int64 {
        switch bucket {
        case .onHand: onHand
        case .reserved: reserved
        case .quarantine: quarantine
        case .safety: safety
        }
    }

    var json: JSONObject {
        [
            "warehouse": .string(warehouse), "on_hand": .int(onHand), "reserved": .int(reserved),
            "available": .int(available), "quarantine": .int(quarantine), "safety": .int(safety),
        ]
    }
}

/// One append-only ledger row: a signed change of one balance bucket, with why and for what.
struct LedgerEntry {
    enum Bucket: String, CaseIterable { case onHand = "on_hand", reserved, quarantine, safety }
    enum Reason: String {
        case receive, adjust, safety, count, quarantine, scrap, reserve, release, expire, pickup, ship
        case transferOut = "transfer_out", transferIn = "transfer_in"
        case returned = "return"
        case openingValue = "opening_value"
    }

    var sku: String
    var warehouse: String
    var bucket: Bucket
    var delta: Int64
    var reason: Reason
    var refType: String?
    var refID: String?
    var note: String?
    /// What one arriving unit cost, when that is known better than the SKU's unit cost: a return's
    /// units come back at what they left at, a transfer's at what they left the other warehouse at.
    var unitCost: Int64? = nil
}

/// A ledger row as stored (`stock.ledger`).
struct LedgerRow {
    var id: Int64
    var at: Int64
    var sku: String
    var warehouse: String
    var bucket: String
    var delta: Int64
    var reason: String
    var refType: String?
    var refID: String?
    var note: String?
    var actor: String?
    /// The change of the balance's value, in minor units of `currency` (nil: the row moves no value).
    var value: Int64?
    var currency: String

    var json: JSON {
        [
            "id": .int(id), "at": .string(Timestamp.format(at)), "sku": .string(sku), "warehouse": .string(warehouse),
            "bucket": .string(bucket), "delta": .int(delta),
            "value": value.map { .string(Money.format($0, exponent: Money.exponent(of: currency))) } ?? .null,
            "reason": .string(reason), "ref_type": .optional(refType),
            "ref_id": .optional(refID), "note": .optional(note), "actor": .optional(actor),
        ]
    }
}
