/// A new order read from the canonical order document (docs/commands.md). Reading validates
/// everything that can be checked without the database.
struct OrderDraft {
    struct Line {
        var sku: String
        var name: String?
        var qty: Int64
        var unitPrice: Int64
        var lineDiscount: Int64
        var tax: Int64
        /// The channel's id of the line (`line_ref`): a channel's refund naming it is for this line's units.
        var lineRef: String?
    }

    var channel: String
    var externalID: String?
    var placedAt: Int64
    var currency: String
    var customer: [String: String] = [:]
    var accountCreatedAt: Int64?
    var shipTo: [String: String] = [:]
    var lines: [Line] = []
    var discounts: [OrderDiscount] = []
    var totals: OrderTotals
    var tags: [String]
    var note: String?
    /// Reserve only from this warehouse (POS, pinned fulfilment); nil lets the planner choose.
    var warehouse: String?
    /// Pre-sale: the deposit that locks the stock, and when the balance is due.
    var deposit: Int64?
    /// When this order reserves stock, if it says (over its channel's and the setting's).
    var reserveAt: ReservePolicy?
    var fees: [OrderFee] = []
    var balanceDueAt: Int64?
    /// The carrier asked for, and the order's priority in pick waves (higher first).
    var carrier: String?
    var priority: Int64
    /// The order arrives paid (a channel or POS order): paid as `order.pay` would, in the same
    /// transaction (`amount` nil: the amount due, or a pre-sale's deposit).
    var payment: (amount: Int64?, ref: String?)?
    /// Paid when the goods arrive (`Order.cashOnDelivery`).
    var cashOnDelivery: Bool
    /// Sold on credit (`Order.paymentTerms`).
    var paymentTerms: PaymentTerms?
    /// Fulfilled before it is paid (`Order.paysLater`).
    var paysLater: Bool { cashOnDelivery || paymentTerms != nil }

    static let maxLines = 1_000
    /// Free-text limits in characters (bytes: four times as many): a channel order longer than these
    /// is kept with the text cut and a warning (ProfileMapper), never refused.
    static let customerFieldLimit = 256, addressFieldLimit = 500, lineNameLimit = 500, feeNameLimit = 200,
        noteLimit = 5_000
    static let maxTags = 100
    /// How far ahead of the command's time an order's `placed_at` may be (a channel's clock a little fast).
    static let placedAheadLimit: Int64 = 86_400_000

    init(_ f: Fields, at: Int64, defaultCurrency: String) throws(OrderCoreError) {
        channel = try f.code("channel") ?? "direct"
        externalID = try f.code("external_id")
        placedAt = try f.time("placed_at") ?? at
        // A real time: not before 1970, nor more than a day ahead (a clock or a zone gone wrong), which would
        // skew every report, sales day and risk window that reads it.
        guard placedAt >= 0, placedAt <= at + OrderDraft.placedAheadLimit else {
            throw .invalid(
                "placed_at must be from 1970-01-01T00:00:00Z to a day after now, not \(Timestamp.format(placedAt))",
                field: "placed_at")
        }
        currency = try Currency.check(try f.code("currency") ?? defaultCurrency, field: "currency")
        let exponent = Money.exponent(of: currency)

        if let c = try f.object("customer") {
            for key in Order.customerFields {
                if let v = try c.text(key, maxLength: OrderDraft.customerFieldLimit), !v.isEmpty { customer[key] = v }
            }
            accountCreatedAt = try c.time("account_created_at")
            try c.finish()
        }
        if let a = try f.object("ship_to") {
            for key in Order.addressFields {
                if let v = try a.text(key, maxLength: OrderDraft.addressFieldLimit), !v.isEmpty { shipTo[key] = v }
            }
            try a.finish()
        }
        guard let lineFields = try f.objects("lines", maxCount: OrderDraft.maxLines), !lineFields.isEmpty else {
            throw .invalid("lines is required: an order needs at least one line", field: "lines")
        }
        for l in lineFields {
            let qty = try l.quantity("qty")
            guard qty <= 1_000_000_000 else {
                throw .invalid("\(l.name("qty")) must be at most 1000000000", field: l.name("qty"))
            }
            guard let unitPrice = try l.money("unit_price", exponent: exponent) else {
                throw .invalid("\(l.name("unit_price")) is required", field: l.name("unit_price"))
            }
            lines.append(
                Line(
                    sku: try l.requiredCode("sku"), name: try l.text("name", maxLength: OrderDraft.lineNameLimit),
                    qty: qty, unitPrice: unitPrice,
                    lineDiscount: try l.money("line_discount", exponent: exponent) ?? 0,
                    tax: try l.money("tax", exponent: exponent) ?? 0, lineRef: try l.code("line_ref")))
            try l.finish()
            if let ref = lines.last?.lineRef, lines.dropLast().contains(where: { $0.lineRef == ref }) {
                throw .invalid("\(l.name("line_ref")) '\(ref)' names another line too", field: l.name("line_ref"))
            }
        }
        for d in try f.objects("discounts", maxCount: 100) ?? [] {
            let kind = try d.code("kind") ?? "other"
            guard OrderDiscount.kinds.contains(kind) else {
                throw .invalid(
                    "\(d.name("kind")) must be one of \(OrderDiscount.kinds.joined(separator: ", ")), not '\(kind)'",
                    field: d.name("kind"))
            }
            guard let amount = try d.money("amount", exponent: exponent) else {
                throw .invalid("\(d.name("amount")) is required", field: d.name("amount"))
            }
            discounts.append(OrderDiscount(kind: kind, code: try d.code("code"), amount: amount))
            try d.finish()
        }
        for fee in try f.objects("fees", maxCount: OrderFee.maxCount) ?? [] {
            guard let name = try fee.text("name", maxLength: OrderDraft.feeNameLimit), !name.isEmpty else {
                throw .invalid("\(fee.name("name")) is required: what the fee is for", field: fee.name("name"))
            }
            guard let amount = try fee.money("amount", exponent: exponent) else {
                throw .invalid("\(fee.name("amount")) is required", field: fee.name("amount"))
            }
            let tax = try fee.money("tax", exponent: exponent) ?? 0
            let returnsRefund = try fee.bool("returns_refund") ?? true
            try fee.finish()
            fees.append(OrderFee(name: name, amount: amount, tax: tax, returnsRefund: returnsRefund))
        }
        let shippingFee = try f.money("shipping_fee", exponent: exponent) ?? 0
        let shippingTax = try f.money("shipping_tax", exponent: exponent) ?? 0
        let taxesIncluded = try f.bool("taxes_included") ?? true
        totals = try OrderTotals.compute(
            lines: lines.map {
                OrderTotals.Line(qty: $0.qty, unitPrice: $0.unitPrice, lineDiscount: $0.lineDiscount, tax: $0.tax)
            },
            discounts: discounts.map(\.amount), shippingFee: shippingFee, shippingTax: shippingTax,
            fees: fees.map { ($0.amount, $0.tax) },
            taxesIncluded: taxesIncluded)
        tags = try f.strings("tags", maxCount: OrderDraft.maxTags) ?? []
        note = try f.text("note", maxLength: OrderDraft.noteLimit)
        warehouse = try f.code("warehouse")
        carrier = try f.code("carrier")
        priority = try f.int("priority", min: -1_000, max: 1_000) ?? 0
        deposit = try f.money("deposit", exponent: exponent)
        reserveAt = try f.choice("reserve_at", of: ReservePolicy.self)
        balanceDueAt = try f.time("balance_due_at")
        if let p = try f.object("payment") {
            payment = (try p.money("amount", exponent: exponent), try p.code("payment_ref"))
            try p.finish()
        }
        cashOnDelivery = try f.bool("cash_on_delivery") ?? false
        paymentTerms = try PaymentTerms.read(f, placedAt: placedAt)
        if cashOnDelivery, paymentTerms != nil {
            throw .invalid(
                "an order is paid at the door (cash_on_delivery) or on payment_terms, not both",
                field: "payment_terms")
        }
        let later =
            cashOnDelivery ? "a cash-on-delivery order" : paymentTerms != nil ? "an order on payment terms" : nil
        if let later, deposit != nil {
            throw .invalid("\(later) has no deposit: it is paid after it ships", field: "deposit")
        }
        if let later, reserveAt == .payment {
            throw .invalid(
                "\(later) holds its stock when it is placed: it ships before it is paid", field: "reserve_at")
        }
        if let deposit, !(0 < deposit && deposit < totals.grandTotal) {
            throw .invalid("deposit must be more than zero and less than the grand total", field: "deposit")
        }
        if balanceDueAt != nil && deposit == nil {
            throw .invalid("balance_due_at needs a deposit (pre-sale)", field: "balance_due_at")
        }
        if let balanceDueAt, balanceDueAt <= at {
            throw .invalid("balance_due_at must be in the future", field: "balance_due_at")
        }
        try f.finish()
    }
}
