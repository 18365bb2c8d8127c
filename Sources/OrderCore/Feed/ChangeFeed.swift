/// The change feed: one ordered list of what the host must tell the outside world — order state
/// changes and payments, each channel's sellable quantity of a SKU when it changes, and alerts opening or
/// clearing. Events are written inside the transaction of the command that caused them, so a
/// committed change always has its event and a rolled-back one never does. Consumers read after a
/// cursor and acknowledge what they have handled (`events.ack`); a consumer that restarts resumes
/// after its acknowledged cursor and so sees every later event exactly once, in order.
enum ChangeFeed {
    static let kinds = ["order", "sellable", "alert"]
    /// Commands that move money: their `order` event is written even when the state stays (a cash-on-delivery
    /// order paid once shipped, a refund, the value of goods back before they were paid for written off by
    /// `return.refund`), so the ERP's books follow the order's.
    static let moneyCommands: Set<String> = ["order.pay", "order.refund", "return.refund", "channel.payment_voided"]
    static let maxLimit: Int64 = 10_000
    /// How many SKUs one publishing query reads.
    static let publishSlice = 500
}

extension CommandContext {
    /// Appends the event of an order's transition (or creation, `from` nil): the object `order_id`,
    /// `channel`, `external_id`, `from`, `to`, `command`, written straight to its text (a paid order
    /// has two; building each as a JSON object and serialising it cost three times as much).
    func feedOrder(_ order: Order, from: OrderState?, command: String) {
        store.appendFeed(kind: "order", at: at, text: Self.orderEventText(order, from: from, command: command))
    }

    static func orderEventText(_ order: Order, from: OrderState?, command: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        for (key, value) in [
            ("{\"order_id\":", order.orderID), (",\"channel\":", order.channel),
            (",\"external_id\":", order.externalID), (",\"from\":", from?.rawValue),
            (",\"to\":", order.state.rawValue), (",\"command\":", command),
        ] {
            out.append(contentsOf: key.utf8)
            if let value { JSON.writeString(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Publishes, for every registered channel, the sellable quantity of each SKU whose balances the
    /// transaction changed, when it differs from what was last published. Runs before it commits, holding
    /// the SKUs' locks (`Store.lockSKUs`): it reads what every earlier writer of them committed, so the
    /// last quantity published is the true one even when writers on several hosts move one SKU.
    func publishSellable() throws {
        guard !store.touchedSKUs.isEmpty else { return }
        let touched = store.touchedSKUs.sorted()
        store.touchedSKUs = []
        let channels = try store.allChannels()
        guard !channels.isEmpty else { return }
        let percent = try sellPercent()
        let codes = channels.map(\.channel)
        let servedBy = channels.map { ($0, Set($0.warehouses)) }  // each channel with the warehouses serving it
        // In slices, so a batch that moved many SKUs stays within the engines' limits on query parameters.
        for start in stride(from: 0, to: touched.count, by: ChangeFeed.publishSlice) {
            let skus = Array(touched[start..<min(start + ChangeFeed.publishSlice, touched.count)])
            try store.lockSKUs(skus)
            try store.prefetchChannelSKUsAndPublished(channels: codes, skus: skus)
            let balances = try store.balances(skus: skus, activeOnly: true)
            let limits = try store.channelSKUs(channels: codes, skus: skus)
            let published = try store.publishedSellable(channels: codes, skus: skus)
            var changed: [(channel: String, sku: String, sellable: Int64)] = []
            for sku in skus {
                for (channel, serving) in servedBy {
                    var available: Int64 = 0
                    for b in balances[sku] ?? [] where serving.isEmpty || serving.contains(b.warehouse) {
                        var balance = b
                        balance.sellPercent = percent
                        available =
                            available.addingReportingOverflow(balance.available).overflow
                            ? .max : available + balance.available
                    }
                    let limit = limits[channel.channel]?[sku]
                    var sellable = available
                    if !channel.active || limit?.open == false { sellable = 0 }
                    if let remaining = limit?.remaining { sellable = min(sellable, remaining) }
                    guard published[channel.channel]?[sku] != sellable else { continue }
                    changed.append((channel.channel, sku, sellable))
                    store.appendFeed(
                        kind: "sellable", at: at,
                        data: [
                            "channel": .string(channel.channel), "sku": .string(sku),
                            "sellable": .int(sellable),
                        ])
                }
            }
            try store.setPublishedSellable(changed)
        }
    }
}

enum FeedCommands {
    static let all = [read, ack, consumers]

    static let read = Command(
        "events.read", .read,
        "Read the change feed after a cursor, oldest first (after, or consumer to start after its acknowledged cursor; "
            + "limit; kinds)",
        sharing: .feedReader,
        arguments: [
            Argument("consumer", .code, "Read after this consumer's acknowledged cursor"),
            Argument("after", .integer, "Read after this event id"),
            .limit,
            Argument("kinds", .codes, "Only events of these kinds"),
        ],
        result: ["events", "next", "head"]
    ) { ctx, f in
        let consumer = try f.code("consumer")
        let after = try f.int("after", min: 0)
        let limit = try f.int("limit", min: 1, max: ChangeFeed.maxLimit) ?? 100
        let kinds = try f.strings("kinds", maxCount: ChangeFeed.kinds.count)
        try f.finish()
        for (i, kind) in (kinds ?? []).enumerated() where !ChangeFeed.kinds.contains(kind) {
            throw OrderCoreError.invalid(
                "kinds[\(i)] must be one of \(ChangeFeed.kinds.joined(separator: ", ")), not '\(kind)'",
                field: "kinds[\(i)]")
        }
        let cursor = try after ?? consumer.map { try ctx.store.consumerCursor($0) ?? 0 } ?? 0
        let events = try ctx.store.feed(after: cursor, limit: Int(limit), kinds: kinds)
        let next = events.last?.objectValue?["seq"]?.intValue ?? cursor
        return ["events": .array(events), "next": .int(next), "head": .int(try ctx.store.feedHead())]
    }

    static let ack = Command(
        "events.ack", .write,
        "Acknowledge that a consumer has handled the feed up to a cursor; it resumes after it (consumer, cursor)",
        // A consumer is a program (the host: no actor), which acknowledges what it has read. A person who
        // acknowledges for it makes it skip events it never read: an ERP that misses an order.
        role: .supervisor,
        arguments: [
            Argument("consumer", .code, "The consumer (created on its first ack)", required: true, positional: true),
            Argument("cursor", .integer, "The last event id the consumer has processed", required: true),
        ],
        result: ["consumer", "cursor", "lag"]
    ) { ctx, f in
        let consumer = try f.requiredCode("consumer")
        let cursor = try f.requiredInt("cursor", min: 0)
        try f.finish()
        let head = try ctx.store.feedHead()
        guard cursor <= head else {
            throw OrderCoreError.invalid("cursor \(cursor) is past the end of the feed (\(head))", field: "cursor")
        }
        // A late or repeated acknowledgement never moves a consumer backwards.
        let current = try ctx.store.consumerCursor(consumer)
        let acknowledged = max(cursor, current ?? 0)
        if acknowledged != current { try ctx.store.setConsumerCursor(consumer, acknowledged, at: ctx.at) }
        return ["consumer": .string(consumer), "cursor": .int(acknowledged), "lag": .int(head - acknowledged)]
    }

    static let consumers = Command(
        "events.consumers", .read, "List feed consumers with their cursor and lag (events not yet acknowledged)",
        arguments: [],
        result: ["head", "consumers"]
    ) { ctx, f in
        try f.finish()
        let head = try ctx.store.feedHead()
        return [
            "head": .int(head),
            "consumers": .array(
                try ctx.store.consumers().map {
                    [
                        "consumer": .string($0.consumer), "cursor": .int($0.cursor), "lag": .int(head - $0.cursor),
                        "updated_at": .string(Timestamp.format($0.updatedAt)),
                    ]
                }),
        ]
    }
}
