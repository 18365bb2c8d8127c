/// When an order's stock is reserved (`inventory.reserve_at`, recorded on each order).
enum ReservePolicy: String, CaseIterable {
    case order, payment
}

/// An order as stored. Lines, discounts, payments and reservations are loaded on demand.
struct Order {
    var rowID: Int64
    var orderID: String
    var channel: String
    var externalID: String?
    var state: OrderState
    var currency: String
    var placedAt: Int64
    var createdAt: Int64
    var updatedAt: Int64
    /// When an unpaid order's reservation lapses; nil once paid or closed.
    var expiresAt: Int64?
    var totals: OrderTotals
    var paidTotal: Int64 = 0
    var refundDue: Int64 = 0
    var cancelReason: String?
    /// Canonical customer fields (`Order.customerFields`) that are present.
    var customer: [String: String] = [:]
    var accountCreatedAt: Int64?
    /// Canonical ship-to fields (`Order.addressFields`) that are present.
    var shipTo: [String: String] = [:]
    var tags: [String] = []
    var note: String?
    /// When the order's stock is reserved: at creation ("order") or at its first payment ("payment").
    var reserveAt = ReservePolicy.order
    /// The only warehouse the order may reserve from (POS, pinned fulfilment), if any.
    var pinnedWarehouse: String?
    /// A pre-sale's deposit: paying it locks the stock until `balanceDueAt`.
    var deposit: Int64?
    var balanceDueAt: Int64?
    /// When it was paid in full: its units count as sold on that business day.
    var paidAt: Int64?
    /// On hold: the state it left (`order.release` returns it there) and why.
    var heldFrom: OrderState?
    var holdReason: String?
    var deliveredAt: Int64?
    /// When the order entered its current state.
    var stateSince: Int64?
    /// The carrier the buyer or channel asked for, and how urgent the order is (higher first in waves).
    var carrier: String?
    var priority: Int64 = 0
    /// Fees charged besides goods and shipping (`totals.feeTotal` is their sum).
    var fees: [OrderFee] = []
    /// Paid when the goods arrive (to the carrier, or at the counter): fulfilled before it is paid, its
    /// units counted sold when it is placed, its payment recorded whenever it comes (`order.pay`).
    var cashOnDelivery = false
    /// Sold on credit (B2B net terms, due on fulfilment): fulfilled before it is paid, as cash on delivery
    /// is, but paid to the merchant by the buyer by `PaymentTerms.dueAt` (or once its first parcel left),
    /// not collected at the door.
    var paymentTerms: PaymentTerms?
    /// What was cancelled of it before it was paid for (the rest of a cash-on-delivery order shipped in
    /// part): no longer due, and never owed back.
    var writtenOff: Int64 = 0

    static let customerFields = ["id", "phone", "email", "name", "device_id", "ip"]
    static let addressFields = [
        "name", "phone", "country", "region", "city", "district", "line1", "line2", "postal_code",
    ]

    var exponent: Int { Money.exponent(of: currency) }
    /// Where it is in its flow: its state, or on hold the state it was held in (`order.release` returns there).
    var stage: OrderState { state == .onHold ? heldFrom ?? .paid : state }
    func money(_ minor: Int64) -> JSON { .string(Money.format(minor, exponent: exponent)) }
    /// A cancellation's timeline `details`, with the points paid for what it cancelled (`points`, for the host's
    /// loyalty system to give back) when there are any.
    func cancelled(_ details: JSONObject, pointsBack points: Int64) -> JSON {
        var details = details
        if points > 0 { details["points"] = money(points) }
        return .object(details)
    }
    /// What is left to pay.
    var amountDue: Int64 { max(0, totals.grandTotal - paidTotal - writtenOff) }

    /// How goods worth `value` that come back (or are cancelled) are settled while `due` is still owed for
    /// the order: what was not paid for is written off first; the rest was paid, and goes back.
    static func settlement(_ value: Int64, due: Int64) -> (writtenOff: Int64, paidBack: Int64) {
        let writtenOff = min(max(0, value), due)
        return (writtenOff, value - writtenOff)
    }

    /// Takes `amount` off what it owes. Paid in part and owing nothing now, it is settled: sold at `at`, for
    /// what was not written off (`report.sales`).
    mutating func writeOff(_ amount: Int64, at: Int64) {
        writtenOff += amount
        if amountDue == 0, paidTotal > 0, paidAt == nil { paidAt = at }
    }

    /// Fulfilled before it is paid: cash on delivery, or sold on payment terms. It is allocated unpaid, holds
    /// its stock for good, and its units count as sold when it is placed.
    var paysLater: Bool { cashOnDelivery || paymentTerms != nil }

    /// The business day its units count as sold on: when it was paid in full, or placed to be paid later.
    var soldAt: Int64? { paysLater ? createdAt : paidAt }

    /// The state `command` moves it to: an order paid later (cash on delivery, payment terms) waiting for its
    /// money is allocated as a paid one is (`OrderState.next` otherwise; a refusal names `nextCommands`,
    /// `CommandContext.next` what the order's units and parcels allow too).
    func next(_ command: String) throws(OrderCoreError) -> OrderState {
        try from(command).next(command, orderID: orderID, allowed: nextCommands)
    }

    private func from(_ command: String) -> OrderState {
        paysLater && state == .pendingPayment && command == "order.allocate" ? .paid : state
    }

    /// The commands its state lets move it on, as this order is — `order.pay` while there is something to pay
    /// (held unpaid, or fulfilled or shipped before it was paid; not held once paid), `order.allocate` of an
    /// order paid later waiting for its money. What its units and parcels allow too: `CommandContext.allowed`.
    var nextCommands: [String] {
        let payable = OrderState.unpaid.contains(stage) || amountDue > 0 && OrderState.fulfilledUnpaid.contains(stage)
        return OrderState.transitions.compactMap { t in
            guard Command.byName[t.command] != nil else { return nil }
            if t.command == "order.pay" { return payable ? t.command : nil }
            return t.from.contains(from(t.command)) ? t.command : nil
        }
    }

}

/// When an order sold on credit is to be paid (`order.create`'s `payment_terms`): a name (`Net 30`), and
/// a due time, or none while it is due once the goods leave (Shopify's due on fulfilment).
struct PaymentTerms: Equatable {
    static let nameLimit = 200
    var name: String
    var dueAt: Int64?

    /// Reads `payment_terms`: `name`, and `due_at` or `due_in_days` (counted from `placedAt`), or neither.
    static func read(_ f: Fields, placedAt: Int64) throws(OrderCoreError) -> PaymentTerms? {
        guard let t = try f.object("payment_terms") else { return nil }
        guard let name = try t.text("name", maxLength: nameLimit), !name.isEmpty else {
            throw .invalid("payment_terms needs a name (\"Net 30\")", field: t.name("name"))
        }
        var dueAt = try t.time("due_at")
        if let days = try t.int("due_in_days", min: 0, max: 3_650) {
            guard dueAt == nil else {
                throw .invalid("payment_terms names due_at or due_in_days, not both", field: t.name("due_in_days"))
            }
            dueAt = placedAt + days * 86_400_000
        }
        try t.finish()
        return PaymentTerms(name: name, dueAt: dueAt)
    }

    var json: JSON { ["name": .string(name), "due_at": dueAt.map { .string(Timestamp.format($0)) } ?? .null] }
}

/// The units of a line in each stage, tracked per line (`order_lines.qty_<name>`).
enum LineQuantity: String, CaseIterable {
    case reserved, allocated, picked, packed, shipped, delivered, cancelled, returned, refunded, backordered
    /// Of the refunded units, those cancelled: refunded before they shipped, or the refund of units
    /// cancelled before. They never come back; the other refunded units were refunded after they left.
    case refundedCancelled = "refunded_cancelled"
}

struct OrderLine {
    var lineNo: Int64
    var sku: String
    var name: String?
    var qty: Int64
    var unitPrice: Int64
    var lineDiscount: Int64
    var tax: Int64
    /// The channel's id of the line (Shopify's line item id, Taobao's sub-order): its refunds name it.
    var lineRef: String?
    var quantities: [LineQuantity: Int64] = [:]

    func quantity(_ kind: LineQuantity) -> Int64 { quantities[kind] ?? 0 }
    /// The units not cancelled (refunded before they left, or the rest of an order cancelled): what is held,
    /// allocated and shipped for the line.
    var notCancelled: Int64 { qty - quantity(.cancelled) }
    /// The units whose worth was settled: refunded, or cancelled and not refunded (what they were worth was owed
    /// back, or no longer due, when they were cancelled). They take the first places in the line's cumulative
    /// allocation (`RefundAllocation.refund`); the units a return or a cancellation settles next take the next
    /// ones, so all of them together come to exactly what the line cost.
    var settled: Int64 {
        min(qty, max(0, quantity(.refunded)) + max(0, quantity(.cancelled) - quantity(.refundedCancelled)))
    }

    /// The line as the order document shows it (without its reservations).
    func json(exponent: Int) -> JSONObject {
        var line: JSONObject = [
            "line_no": .int(lineNo), "sku": .string(sku), "name": .optional(name), "qty": .int(qty),
            "unit_price": .string(Money.format(unitPrice, exponent: exponent)),
            "line_discount": .string(Money.format(lineDiscount, exponent: exponent)),
            "tax": .string(Money.format(tax, exponent: exponent)),
        ]
        for kind in LineQuantity.allCases { line[kind.rawValue] = .int(quantity(kind)) }
        if let lineRef { line["line_ref"] = .string(lineRef) }
        return line
    }
}

struct OrderDiscount {
    var kind: String
    var code: String?
    var amount: Int64

    static let kinds = ["coupon", "promotion", "points", "manual", "shipping", "other"]

    func json(exponent: Int) -> JSON {
        ["kind": .string(kind), "code": .optional(code), "amount": .string(Money.format(amount, exponent: exponent))]
    }
}

/// Money received for an order, or (kind `refund`) given back.
struct Payment {
    var paymentRef: String?
    var amount: Int64
    var at: Int64
    var kind = "payment"
    var reason: String?

    func json(exponent: Int) -> JSON {
        [
            "kind": .string(kind), "payment_ref": .optional(paymentRef),
            "amount": .string(Money.format(amount, exponent: exponent)),
            "at": .string(Timestamp.format(at)), "reason": .optional(reason),
        ]
    }
}

struct OrderEvent {
    var seq: Int64
    var at: Int64
    var actor: String?
    var from: String?
    var to: String
    var command: String
    var details: JSON

    var json: JSON {
        [
            "seq": .int(seq), "at": .string(Timestamp.format(at)), "actor": .optional(actor),
            "from": .optional(from), "to": .string(to), "command": .string(command), "details": details,
        ]
    }
}

/// A fee an order charges besides goods and shipping: gift wrap, a payment surcharge (WooCommerce
/// `fee_lines`). Part of the grand total; refunded like shipping (docs/returns.md) — unless it bought something of
/// its own (a gift card, a tip: `returns_refund` false), which no return of goods refunds.
struct OrderFee: Equatable {
    var name: String
    var amount: Int64
    /// Its tax, as the channel reports it (in `tax_total`, and in the grand total when prices exclude tax).
    var tax: Int64 = 0
    var returnsRefund = true

    static let maxCount = 20

    /// The fee as an object, its amounts written by `money`.
    private func object(_ money: (Int64) -> JSON) -> JSON {
        var fee: JSONObject = ["name": .string(name), "amount": money(amount), "tax": money(tax)]
        if !returnsRefund { fee["returns_refund"] = false }
        return .object(fee)
    }

    func json(exponent: Int) -> JSON { object { .string(Money.format($0, exponent: exponent)) } }

    /// Stored as JSON: `[{"name", "amount", "tax", "returns_refund"}]`, amounts in minor units.
    static func stored(_ fees: [OrderFee]) -> String? {
        fees.isEmpty ? nil : JSON.array(fees.map { $0.object(JSON.int) }).serialized
    }

    static func read(_ text: String?) -> [OrderFee] {
        guard let text, let items = (try? JSONParser.parse(text))?.arrayValue else { return [] }
        return items.compactMap { f in
            f["name"]?.stringValue.flatMap { name in
                f["amount"]?.intValue.map {
                    OrderFee(
                        name: name, amount: $0, tax: f["tax"]?.intValue ?? 0,
                        returnsRefund: f["returns_refund"] != .bool(false))
                }
            }
        }
    }
}
