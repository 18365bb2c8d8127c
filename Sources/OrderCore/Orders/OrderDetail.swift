/// What belongs to an order besides its row: read from the store, or known in memory right after
/// the order was created (so the create response does not read back what it just wrote).
struct OrderDetail {
    /// The main members of the order document, as the commands that answer with it declare.
    static let members = [
        "order_id", "state", "channel", "external_id", "currency", "customer", "ship_to", "lines", "grand_total",
        "paid_total", "payment_status", "payments", "parcels", "shipments", "warnings", "risk",
    ]

    var lines: [OrderLine]
    var discounts: [OrderDiscount]
    var payments: [Payment] = []
    var reservations: [(lineNo: Int64, warehouse: String, qty: Int64, expiresAt: Int64?, state: String)]
    var allocation: JSON?
    /// Who owns the order's problems (`order.assign`).
    var owner: String?
    var parcels: [Parcel] = []
    var shipments: [Shipment] = []
    /// What intake noticed about the channel's payload, and possible duplicates.
    var warnings: [JSON] = []
    /// The risk decision with its score, reasons and rule-set version.
    var risk: JSON?
    /// Chargebacks and inquiries of its payment (`order.dispute`).
    var disputes: [Dispute] = []
}

extension Store {
    func detail(orderRowID: Int64) throws -> OrderDetail {
        let (allocation, owner) = try allocationAndOwner(orderRowID: orderRowID)
        return OrderDetail(
            lines: try lines(orderRowID: orderRowID), discounts: try discounts(orderRowID: orderRowID),
            payments: try payments(orderRowID: orderRowID), reservations: try reservations(orderRowID: orderRowID),
            allocation: allocation, owner: owner, parcels: try parcels(orderRowID: orderRowID),
            shipments: try shipments(orderRowID: orderRowID), warnings: try warnings(orderRowID: orderRowID),
            risk: try risk(orderRowID: orderRowID), disputes: try disputes(orderRowID: orderRowID))
    }
}

extension CommandContext {
    /// The full order document: the canonical fields it was created with plus what happened since.
    /// A brief context gets only `order_id` and `state` (and `extra`).
    func document(_ o: Order, detail known: OrderDetail? = nil, extra: JSONObject = [:]) throws -> JSON {
        if brief {
            var doc: JSONObject = ["order_id": .string(o.orderID), "state": .string(o.state.rawValue)]
            for (key, value) in extra.pairs { doc[key] = value }
            return .object(doc)
        }
        let detail = try known ?? store.detail(orderRowID: o.rowID)
        let reservations = detail.reservations
        var customer = JSONObject()
        for key in Order.customerFields { if let v = o.customer[key] { customer[key] = .string(v) } }
        if let t = o.accountCreatedAt { customer["account_created_at"] = .string(Timestamp.format(t)) }
        var shipTo = JSONObject()
        for key in Order.addressFields { if let v = o.shipTo[key] { shipTo[key] = .string(v) } }

        var doc: JSONObject = [
            "order_id": .string(o.orderID), "channel": .string(o.channel), "external_id": .optional(o.externalID),
            "state": .string(o.state.rawValue), "currency": .string(o.currency),
            "placed_at": .string(Timestamp.format(o.placedAt)), "created_at": .string(Timestamp.format(o.createdAt)),
            "updated_at": .string(Timestamp.format(o.updatedAt)),
            "state_since": o.stateSince.map { .string(Timestamp.format($0)) } ?? .null,
            "expires_at": o.expiresAt.map { .string(Timestamp.format($0)) } ?? .null,
            "delivered_at": o.deliveredAt.map { .string(Timestamp.format($0)) } ?? .null,
        ]
        if let expiresAt = o.expiresAt { doc["expired"] = .bool(expiresAt <= at) }
        doc["customer"] = .object(customer)
        doc["ship_to"] = .object(shipTo)
        doc["lines"] = .array(
            detail.lines.map { l in
                var line = l.json(exponent: o.exponent)
                line["reservations"] = .array(
                    reservations.filter { $0.lineNo == l.lineNo }.map { r in
                        [
                            "warehouse": .string(r.warehouse), "qty": .int(r.qty), "state": .string(r.state),
                            "expires_at": r.expiresAt.map { .string(Timestamp.format($0)) } ?? .null,
                        ]
                    })
                return .object(line)
            })
        doc["discounts"] = .array(detail.discounts.map { $0.json(exponent: o.exponent) })
        let t = o.totals
        doc["shipping_fee"] = o.money(t.shippingFee)
        doc["shipping_tax"] = o.money(t.shippingTax)
        doc["fees"] = .array(o.fees.map { $0.json(exponent: o.exponent) })
        doc["fee_total"] = o.money(t.feeTotal)
        doc["taxes_included"] = .bool(t.taxesIncluded)
        doc["subtotal"] = o.money(t.subtotal)
        doc["line_discount_total"] = o.money(t.lineDiscountTotal)
        doc["discount_total"] = o.money(t.discountTotal)
        doc["tax_total"] = o.money(t.taxTotal)
        doc["grand_total"] = o.money(t.grandTotal)
        doc["paid_total"] = o.money(o.paidTotal)
        doc["balance_due"] = o.money(o.state == .cancelled ? 0 : o.amountDue)
        doc["refund_due"] = o.money(o.refundDue)
        let refunded = Payment.refunded(detail.payments)
        doc["refunded_total"] = o.money(refunded)
        doc["payment_status"] = .string(
            o.paidTotal == 0
                ? "unpaid"
                : refunded == 0
                    ? (o.amountDue > 0 ? "partially_paid" : "paid")
                    : refunded < o.paidTotal ? "partially_refunded" : "refunded")
        doc["payments"] = .array(detail.payments.map { $0.json(exponent: o.exponent) })
        doc["disputes"] = .array(detail.disputes.map { $0.json(exponent: o.exponent) })
        doc["charged_back"] = o.money(Dispute.takenBack(detail.disputes))
        doc["carrier"] = .optional(o.carrier)
        doc["priority"] = .int(o.priority)
        doc["reserve_at"] = .string(o.reserveAt.rawValue)
        doc["cash_on_delivery"] = .bool(o.cashOnDelivery)
        doc["payment_terms"] = o.paymentTerms?.json ?? .null
        doc["warehouse"] = .optional(o.pinnedWarehouse)
        if let deposit = o.deposit {
            doc["deposit"] = o.money(deposit)
            doc["balance_due_at"] = o.balanceDueAt.map { .string(Timestamp.format($0)) } ?? .null
        }
        doc["allocation"] = detail.allocation ?? .null
        doc["owner"] = .optional(detail.owner)
        doc["parcels"] = .array(detail.parcels.map(\.json))
        doc["shipments"] = .array(detail.shipments.map(\.json))
        if o.state == .onHold {
            doc["held_from"] = .optional(o.heldFrom?.rawValue)
            doc["hold_reason"] = .optional(o.holdReason)
        }
        doc["cancel_reason"] = .optional(o.cancelReason)
        doc["tags"] = .array(o.tags.map(JSON.string))
        doc["note"] = .optional(o.note)
        doc["warnings"] = .array(detail.warnings)
        doc["risk"] = detail.risk ?? .null
        for (key, value) in extra.pairs { doc[key] = value }
        return .object(doc)
    }

    /// The one-line view used by `order.list`.
    func summary(_ o: Order) -> JSON {
        [
            "order_id": .string(o.orderID), "channel": .string(o.channel), "external_id": .optional(o.externalID),
            "state": .string(o.state.rawValue), "currency": .string(o.currency),
            "grand_total": o.money(o.totals.grandTotal),
            "placed_at": .string(Timestamp.format(o.placedAt)), "updated_at": .string(Timestamp.format(o.updatedAt)),
            "state_since": o.stateSince.map { .string(Timestamp.format($0)) } ?? .null,
            // Last: exported columns keep their places.
            "cash_on_delivery": .bool(o.cashOnDelivery), "payment_terms": .optional(o.paymentTerms?.name),
            "refund_due": o.money(o.refundDue),
        ]
    }
}
