/// Balances of one SKU in one warehouse.
struct StockBalance {
    var sku: String
    var warehouse: String
    var priority: Int64 = 0
    var onHand: Int64 = 0
    var reserved: Int64 = 0
    var quarantine: Int64 = 0
    var safety: Int64 = 0

    /// Units that can still be promised: on hand less reserved less safety stock, never below zero.
    var available: Int64 { max(0, onHand - reserved - safety) }

    var json: JSONObject {
        ["warehouse": .string(warehouse), "on_hand": .int(onHand), "reserved": .int(reserved),
         "available": .int(available), "quarantine": .int(quarantine), "safety": .int(safety)]
    }
}

/// One append-only ledger row: a signed change of one balance bucket, with why and for what.
struct LedgerEntry {
    enum Bucket: String { case onHand = "on_hand", reserved, quarantine, safety }
    enum Reason: String { case receive, reserve, release, expire }

    var sku: String
    var warehouse: String
    var bucket: Bucket
    var delta: Int64
    var reason: Reason
    var refType: String?
    var refID: String?
}
