/// Customer service: finding an order by what the buyer or the carrier knows, the one view that answers
/// "where is my order?", and who owns an order's problems (docs/commands.md).
enum CustomerServiceCommands {
    static let all = [find, view, assign]

    static let find = Command(
        "order.find", .read,
        "Find orders by what a customer knows: the channel's order number, phone, e-mail, a tracking number or the "
            + "customer id (newest first)",
        arguments: [
            Argument("external_id", .code, "The channel's order number (any channel)"),
            Argument("phone", .code, "The buyer's phone, written any way (+86 133..., 133-..., 0086...)"),
            Argument("email", .code, "The buyer's e-mail (any letter case, with or without a +tag)"),
            Argument("tracking_no", .code, "A tracking number of one of its shipments (any carrier)"),
            Argument("customer", .code, "The channel's customer id"),
            .limit,
        ],
        result: ["orders"]
    ) { ctx, f in
        let phone = try f.code("phone")
        let phoneKey = phone.flatMap(Phone.key)
        if let phone, phoneKey == nil {
            throw OrderCoreError.invalid(
                "phone '\(phone)' names no one (masked, or fewer than five digits): search by the order number, "
                    + "e-mail or tracking number", field: "phone")
        }
        let query = Store.OrderSearch(
            externalID: try f.code("external_id"), phone: phoneKey,
            email: try f.code("email").flatMap(Email.key),
            trackingNo: try f.code("tracking_no"), customer: try f.code("customer"))
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 50
        try f.finish()
        guard !query.isEmpty else {
            throw OrderCoreError.invalid(
                "give external_id, phone, email, tracking_no or customer to search by", field: "external_id")
        }
        return ["orders": .array(try ctx.store.findOrders(query, limit: Int(limit)).map(ctx.summary))]
    }

    static let view = Command(
        "order.view", .read,
        "The one view of an order for customer service: the document, each shipment's latest carrier checkpoint, "
            + "returns with their refunds, and the timeline (order_id)",
        arguments: [.orderID],
        result: OrderDetail.members + ["tracking", "returns", "timeline"],
        aliases: ["order show"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        try f.finish()
        let order = try ctx.requireOrder(id)
        guard var view = try ctx.document(order).objectValue else { return .null }
        let shipments = try ctx.store.shipments(orderRowID: order.rowID)
        view["tracking"] = .array(
            try shipments.map { s in
                [
                    "carrier": .string(s.carrier), "tracking_no": .string(s.trackingNo), "state": .string(s.state),
                    "latest": try ctx.store.latestTrackingEvent(carrier: s.carrier, trackingNo: s.trackingNo) ?? .null,
                ]
            })
        view["returns"] = .array(
            try ctx.store.returns(orderRowID: order.rowID).map { r in
                [
                    "return_id": .string(r.returnID), "state": .string(r.state.rawValue), "reason": .string(r.reason),
                    "created_at": .string(Timestamp.format(r.createdAt)), "refunds": try ctx.refunds(of: r, in: order),
                ]
            })
        view["timeline"] = .array(try ctx.store.events(orderRowID: order.rowID).map(\.json))
        return .object(view)
    }

    static let assign = Command(
        "order.assign", .write,
        "Make a person the owner of an order's problems: report.alerts shows them beside its items (order_id, owner; "
            + "null unassigns)",
        role: .supervisor,
        arguments: [
            .orderID,
            Argument("owner", .code, "The registered actor who owns it (null: nobody)", positional: true),
        ],
        result: OrderDetail.members + ["owner"]
    ) { ctx, f in
        let id = try f.requiredCode("order_id")
        let owner = try f.code("owner")
        try f.finish()
        let order = try ctx.requireOrder(id)
        if let owner {
            guard let actor = try ctx.store.actor(owner), actor.active else {
                throw OrderCoreError(
                    .notFound, "actor '\(owner)' is not a registered, active actor (actor.upsert)",
                    details: ["actor": .string(owner), "field": "owner"])
            }
        }
        try ctx.store.setOwner(orderRowID: order.rowID, owner)
        try ctx.record(order, from: order.state, command: "order.assign", details: ["owner": .optional(owner)])
        return try ctx.document(order)
    }
}
