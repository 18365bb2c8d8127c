/// Channel intake: every event is stored raw in the inbox, mapped by its channel's profile and
/// applied in the same transaction. Its effects are applied in a savepoint: when mapping or applying
/// fails for a reason in the data, they are undone and the event stays as a dead letter with the
/// reason; a failure of the machine (busy, I/O) rolls everything back so the sender retries.
extension CommandContext {
    /// The profile a name refers to: one stored with `intake.profile_set`, else a builtin.
    /// Parsed once per handle and definition: a profile changed by another process is seen at once.
    func profile(_ name: String) throws -> ChannelProfile? {
        guard let text = try store.storedProfile(name) ?? BuiltinProfiles.all[name] else { return nil }
        if let cached = store.profiles[name], cached.definition == text { return cached.profile }
        let profile = try ChannelProfile(try JSONParser.parse(text))
        store.profiles[name] = (text, profile)
        return profile
    }

    func requireProfile(_ name: String, field: String? = nil) throws -> ChannelProfile {
        guard let profile = try profile(name) else {
            let known = Set(BuiltinProfiles.all.keys).union(try store.storedProfileNames()).sorted()
            throw OrderCoreError(
                .notFound, "no channel profile '\(name)'; known: \(known.joined(separator: ", "))",
                details: ["profile": .string(name), "field": .optional(field)])
        }
        return profile
    }

    /// The mapper of a channel's profile.
    func mapper(for channel: Channel) throws -> ProfileMapper {
        ProfileMapper(
            profile: try requireProfile(channel.profileName), defaultCurrency: try stringSetting(.defaultCurrency))
    }

    /// Applies one mapped event; throws when it cannot (the caller keeps it as a dead letter).
    /// - Parameter reference: the event, as ledger rows of stock it moves name it (`channel:inbox_id`).
    func apply(_ mapped: Result<MappedEvent, OrderCoreError>, channel: Channel, reference: String) throws -> JSON {
        let wasBrief = brief
        brief = true  // the commands' documents are not part of the outcome
        defer { brief = wasBrief }
        return try apply(try mapped.get(), channel: channel, reference: reference)
    }

    /// The order an event of its (a cancellation, a refund, a dispute, a verdict) is about; `not_found` until it
    /// has arrived (the event waits for it: `orderNotArrived`).
    private func arrivedOrder(of event: MappedEvent, channel: String) throws -> String {
        guard let id = try store.orderID(channel: channel, externalID: event.externalID) else {
            throw IntakeCommands.orderNotArrived(channel: channel, externalID: event.externalID)
        }
        return id
    }

    private func apply(_ event: MappedEvent, channel: Channel, reference: String) throws -> JSON {
        var result: JSONObject = ["type": .string(event.type.rawValue), "external_id": .string(event.externalID)]
        if event.type != .skip {
            // Hosts apply one channel order's events one at a time (PostgreSQL): a cancellation or refund
            // that arrives while another host creates its order waits for it and finds it.
            try store.lockChannelOrder(channel: channel.channel, externalID: event.externalID)
        }
        switch event.type {
        case .skip:
            result["reason"] = .optional(event.reason)
            if !event.notStock.isEmpty { result["not_stock"] = .array(event.notStock) }
            return .object(result)
        case .order:
            return try applyOrder(event, channel: channel, reference: reference)
        case .tracking:
            return .object(try trackParcel(event, channel: channel.channel, result: result))
        case .dispute, .risk:
            // Recorded as `order.dispute` and `risk.report` record them, on the order they name.
            let id = try arrivedOrder(of: event, channel: channel.channel)
            var request = event.fields
            request["currency"] = nil
            if event.type == .dispute, let disputed = event.fields["currency"]?.stringValue {
                let currency = try requireOrder(id).currency
                guard disputed == currency else {
                    throw OrderCoreError.invalid(
                        "the dispute is in \(disputed), order \(id) in \(currency)", field: "currency")
                }
            }
            request["external_id"] = nil
            request["order_id"] = .string(id)
            let recorded = try event.type == .dispute ? dispute(Fields(request)) : reportRisk(Fields(request))
            result["order_id"] = .string(id)
            result["action"] =
                recorded["duplicate"] == true ? "unchanged" : event.type == .dispute ? "disputed" : "reported"
            result["state"] = recorded["state"] ?? .null
            return .object(result)
        case .cancel, .refund:
            let id = try arrivedOrder(of: event, channel: channel.channel)
            result["order_id"] = .string(id)
            if event.type == .cancel {
                var order = try requireOrder(id)
                var cancelled = false
                // Cancelled before the channel took the money it had reported (Amazon charges as an order ships). Only
                // asked for (`requested`), one whose goods left is not cancelled there: its money will be taken.
                if event.fields["payment_voided"] == true, order.state != .cancelled,
                    event.fields["requested"] != true || OrderState.beforeShipment.contains(order.stage)
                {
                    _ = try voidChannelPayment(&order, cancelling: true, result: &result)
                }
                if order.state != .cancelled {
                    cancelled = try cancelFromChannel(
                        &order, reason: event.fields["reason"]?.stringValue ?? "cancelled on \(channel.channel)",
                        channel: channel.channel, refunded: true, result: &result)
                }
                result["action"] = cancelled ? "cancelled" : "unchanged"
            } else if let amount = event.fields["amount"]?.stringValue,
                Money.parse(amount, exponent: try requireOrder(id).exponent) == 0,
                event.fields["cancel_units"] != true || event.fields["units"] == nil
            {
                // No money went back (the refund's transactions failed, or it only restocked units).
                result["action"] = "unchanged"
                result["reason"] = "the refund gave no money back"
            } else {
                // As a refund the order's own payload carries: once per refund id, and covered by a cancellation
                // recorded as refunded (Shopify sends refunds/create after orders/cancelled).
                guard event.fields["amount"] != nil else {
                    throw OrderCoreError.invalid("the refund has no amount (profile field amount)", field: "amount")
                }
                var order = try requireOrder(id)
                var refund = event.fields
                refund["external_id"] = nil
                let authorized = try authorizedThere(order, channel: channel)
                let outcome = try applyChannelRefunds(&order, [refund], authorized: authorized).first ?? .null
                let changed = outcome["outcome"] == "recorded" || outcome["units_recorded"] == true
                result["action"] =
                    outcome["outcome"] == "units_cancelled" ? "units_cancelled" : changed ? "refunded" : "unchanged"
                result["refund"] = outcome
            }
            result["state"] = .string(try requireOrder(id).state.rawValue)
            return .object(result)
        }
    }

    /// A channel's word on where a parcel of one of its orders is (a Shopify fulfillment event), told to the order's
    /// shipments of that parcel as the order's own events tell them (`reportParcels`: forward only, once). An order
    /// not here yet, or a parcel it has no shipment of yet (the channel fulfilled it, and the order's event saying
    /// so has not come), waits for nothing: the order's own event says where its parcels are when it comes.
    private func trackParcel(_ event: MappedEvent, channel: String, result: JSONObject) throws -> JSONObject {
        var result = result
        let f = Fields(event.fields)
        let parcel = try ChannelShipment.Parcel(f)
        let time = min(try f.time("time") ?? at, at)
        guard let id = try store.orderID(channel: channel, externalID: event.externalID) else {
            result["action"] = "unchanged"
            result["reason"] = "the order is not here: its own event says where its parcels are"
            return result
        }
        var order = try requireOrder(id)
        let told = try reportParcels(&order, parcels: [parcel], channel: channel, time: time)
        result["order_id"] = .string(id)
        result["action"] = told.isEmpty ? "unchanged" : order.state == .delivered ? "delivered" : "parcel_status"
        if told.isEmpty {
            result["reason"] = .string(
                parcel.status == nil
                    ? "it says nothing of where the parcel is"
                    : "no shipment of the order is that parcel yet, or it is there already: the order's own event "
                        + "says where its parcels are")
        } else {
            result["parcels"] = .array(told)
        }
        result["state"] = .string(order.state.rawValue)
        return result
    }

    private func applyOrder(_ event: MappedEvent, channel: Channel, reference: String) throws -> JSON {
        var doc = event.fields
        doc["channel"] = .string(channel.channel)
        // How the channel fulfilled the order is not part of the order document.
        let shipment = try ChannelShipment(
            doc["shipment"]?.objectValue.map { Fields($0, path: "shipment") },
            fulfilledBy: doc["fulfilled_by"]?.stringValue)
        doc["shipment"] = nil
        doc["fulfilled_by"] = nil
        // What was paid at the channel of a cash-on-delivery order (a gift card, points): recorded at creation.
        let prepaid = doc["prepaid"]?.stringValue
        doc["prepaid"] = nil
        doc["deposit"] = nil  // a pre-sale's, or the part paid of an order not paid in full (`Self.deposit`)
        var result: JSONObject = ["type": "order", "external_id": .string(event.externalID)]
        var order: Order
        var risk: RiskAssessment?
        let existing = try store.orderID(channel: channel.channel, externalID: event.externalID)
        // Older than an event already applied to the order (a webhook delivered late, a poll's stale page): its
        // status, address and lines are the past, and move nothing; only refunds it carries are recorded
        // (once each, whenever they come). A time more than a day ahead orders nothing: kept, it would make
        // every later event look stale.
        let updatedAt = event.updatedAt.flatMap { $0 <= at + 86_400_000 ? $0 : nil }
        var stale = false
        if let id = existing {
            var warnings: [JSON] = []
            order = try requireOrder(id)
            result["action"] = "unchanged"
            if let updatedAt,
                let latest = try store.sourceUpdatedAt(orderRowID: order.rowID, source: channel.channel),
                updatedAt < latest
            {
                stale = true
                result["stale"] = [
                    "updated_at": .string(Timestamp.format(updatedAt)), "latest": .string(Timestamp.format(latest)),
                ]
            } else if case .object(let shipTo)? = doc["ship_to"] {
                if OrderState.beforeShipment.contains(order.state) {
                    if try updateAddress(&order, Fields(shipTo, path: "ship_to"), source: channel.channel) {
                        result["action"] = "address_changed"
                    }
                } else if try changedAddress(order, Fields(shipTo, path: "ship_to")) != nil {
                    // The goods left for the address it had: the rest of the event still applies.
                    warnings.append(IntakeChecks.addressAfterShipment(order))
                }
            }
            if !stale, try followPaymentTerms(&order, doc["payment_terms"], channel: channel.channel) {
                result["action"] = "payment_terms_changed"
            }
            if !stale, let unmapped = IntakeChecks.statusUnmapped(event, outcome: "the order stays as it was") {
                warnings.append(unmapped)
            }
            if !warnings.isEmpty { result["warnings"] = .array(warnings) }
        } else {
            var draft = try OrderDraft(Fields(doc), at: at, defaultCurrency: try stringSetting(.defaultCurrency))
            // Unpaid, and the channel holds nothing for it (a payment that failed): it takes its stock when
            // the channel reports it paid.
            if event.holdsNothing { draft.reserveAt = .payment }
            // Paid there means paid here: created paid, in one go. So is an order first seen cancelled after the
            // channel took its money, or shipped it: the cancellation then leaves what it paid owed back, or
            // recorded refunded, as for an order seen before.
            let paidBeforeCancel = (event.paidBeforeCancel || event.shippedBeforeCancel) && !draft.cashOnDelivery
            if event.state.map(Self.paidThere.contains) == true || paidBeforeCancel, !event.unpaid {
                draft.payment = (nil, Self.paymentRef(channel: channel.channel, externalID: event.externalID))
            }
            var warnings = IntakeChecks.warnings(event, draft: draft)
            // A pre-sale's deposit, or the part paid of an order cancelled, or shipped, there before it was paid
            // in full (recorded before the event's shipment and refunds: these may give part of it back).
            let leftThere = event.state.map(OrderState.leftTheWarehouse.contains) == true && !draft.cashOnDelivery
            if event.state == .depositPaid || event.unpaid && (paidBeforeCancel || leftThere) {
                if let deposit = Self.deposit(
                    event, exponent: Money.exponent(of: draft.currency), total: draft.totals.grandTotal)
                {
                    draft.deposit = deposit
                    draft.payment = (deposit, Self.depositRef(channel: channel.channel, externalID: event.externalID))
                } else if event.state == .depositPaid {
                    warnings.append(IntakeChecks.depositNotRecorded(event))
                }
            }
            if draft.payment == nil, draft.paysLater,
                let prepaid = prepaid.flatMap({ Money.parse($0, exponent: Money.exponent(of: draft.currency)) }),
                prepaid > 0
            {
                if prepaid <= draft.totals.grandTotal {
                    let ref = Self.paymentRef(channel: channel.channel, externalID: event.externalID) + ":prepaid"
                    draft.payment = (prepaid, ref)
                } else {
                    warnings.append(IntakeChecks.prepaidAboveTotal(prepaid, draft: draft))
                }
            }
            // An order that arrives cancelled, or that the channel fulfils from its own stock, takes nothing.
            // One that arrives unpaid holds its stock until the channel says paid or cancelled: the channel
            // closes unpaid orders by its own rules (a bank transfer takes days), not by this engine's
            // unpaid timeout, which would cancel an order the channel then reports paid.
            // On PostgreSQL no other host creates the order since the look above: its events hold the
            // channel order's lock (`lockChannelOrder`). Were one to, the unique key refuses this one and
            // the event runs again, applying to that order.
            let created = try createOrder(
                draft, backorder: true, warnings: warnings, actOnRisk: false,
                reserving: (event.state != .cancelled || event.shippedBeforeCancel) && !shipment.byChannel
                    && !event.holdsNothing, expiring: false,
                externalIDFree: true)
            risk = created.risk
            order = created.order
            result["action"] =
                order.state == .depositPaid
                ? "created_deposit_paid" : draft.payment == nil || order.amountDue > 0 ? "created" : "created_paid"
            result["lines"] = .int(draft.lines.count)
            if !created.short.isEmpty { result["backordered"] = .array(created.short) }
            if !warnings.isEmpty { result["warnings"] = .array(warnings) }
        }
        if let state = event.state, !stale {
            try follow(
                &order, channelState: state, event: event, shipment: shipment, channel: channel, reference: reference,
                result: &result)
        } else if !event.refunds.isEmpty {
            result["refunds"] = .array(
                try applyChannelRefunds(&order, event.refunds, authorized: authorizedThere(order, channel: channel)))
        }
        // Compared once the event's refunds have cancelled what they took back; an order first seen after an edit at
        // the channel took units off (not refunded yet) too.
        if !stale, existing != nil || event.unitsTakenOff {
            try noticeChangedLines(order, event, channel: channel.channel, result: &result)
        }
        // Acted on once it is where the channel says it is, so a held order keeps its payment; an order
        // that has left (or was cancelled) is past holding. One the channel holds is rejected all the same;
        // the rules' hold takes the channel's place when the channel lifts it (`standingHold`).
        if let risk, OrderState.beforeShipment.contains(order.state) {
            try act(on: risk, &order)
            if risk.decision != .allow { result["risk"] = risk.json(at: at) }
        }
        // Disputes and fraud verdicts the payload carries, as they stand now (a stale payload's are the past).
        if !stale, !event.disputes.isEmpty {
            result["disputes"] = .array(try applyCarried(&order, event.disputes, key: "dispute_ref", dispute))
        }
        if !stale, !event.risks.isEmpty {
            result["risks"] = .array(try applyCarried(&order, event.risks, key: "source", reportRisk))
        }
        if let reported = event.reportedStatus {
            if !stale {
                try store.saveSourceStatus(
                    orderRowID: order.rowID, source: channel.channel, reported: reported, state: event.state, at: at,
                    updatedAt: updatedAt)
            }
            result["channel_status"] = .string(reported)
        }
        if !event.notStock.isEmpty { result["not_stock"] = .array(event.notStock) }
        // The events of this order that arrived before it (a cancellation, a refund) are applied now.
        let awaiting = try IntakeCommands.applyAwaiting(self, channel: channel, externalID: event.externalID)
        if !awaiting.isEmpty {
            result["applied_waiting"] = .array(awaiting)
            order = try requireOrder(order.orderID)
        }
        result["order_id"] = .string(order.orderID)
        result["state"] = .string(order.state.rawValue)
        return .object(result)
    }

    /// Records what an order payload carries besides the order — its disputes (`order.dispute`), fraud verdicts
    /// (`risk.report`) — each on its own: one that cannot be recorded (the order not paid here yet, an amount above
    /// what was paid, a level the command does not know) is an outcome saying why, named by its `key`, never a
    /// reason to lose the order's event.
    private func applyCarried(
        _ order: inout Order, _ items: [JSONObject], key: String, _ record: (Fields) throws -> JSON
    ) throws -> [JSON] {
        var outcomes: [JSON] = []
        for item in items {
            var request = item
            request["order_id"] = .string(order.orderID)
            do {
                let recorded = try store.savepoint { try record(Fields(request)) }
                outcomes.append([
                    key: item[key] ?? .null, "outcome": recorded["duplicate"] == true ? "unchanged" : "recorded",
                ])
            } catch let error as OrderCoreError where [.invalidInput, .conflict, .notFound].contains(error.code) {
                outcomes.append([
                    key: item[key] ?? .null, "outcome": "not_recorded",
                    "error": ["code": .string(error.code.rawValue), "message": .string(error.message)],
                ])
            }
        }
        order = try requireOrder(order.orderID)
        return outcomes
    }

    /// Payment terms the channel gave an order after it was placed (Shopify's `paymentTermsCreate`), or changed
    /// (a new due date; due on fulfilment, its date once fulfilled): an order waiting unpaid, or gone unpaid, is
    /// sold on credit from then on — fulfilled here unpaid, its units counted sold if they have not left. Terms
    /// the channel takes off stay here (the goods may be on their way: a person decides). An order paid, or
    /// cancelled, cash on delivery, a pre-sale, or holding nothing until paid, is left as it is. Terms read
    /// with no due date keep the one the order has.
    /// - Returns: whether the order's terms changed.
    private func followPaymentTerms(_ order: inout Order, _ given: JSON?, channel: String) throws -> Bool {
        guard case .object(let t)? = given,
            var terms = try? PaymentTerms.read(Fields(["payment_terms": .object(t)]), placedAt: order.placedAt)
        else { return false }
        terms.dueAt = terms.dueAt ?? order.paymentTerms?.dueAt
        guard terms != order.paymentTerms, !order.cashOnDelivery, order.amountDue > 0, order.deposit == nil,
            order.reserveAt == .order, order.state != .cancelled,
            order.paymentTerms != nil || order.stage == .pendingPayment
                || OrderState.leftTheWarehouse.contains(order.stage)
        else { return false }
        let sold = order.paymentTerms == nil && OrderState.unpaid.contains(order.stage)
        try store.setPaymentTerms(orderRowID: order.rowID, terms)
        order.paymentTerms = terms
        try transition(
            &order, to: order.state, command: "channel.payment_terms",
            details: ["payment_terms": terms.json, "channel": .string(channel)])
        if sold { try recordSales(of: order, sign: 1) }
        return true
    }

    /// An order whose lines the channel changed before it left (edited on Shopify or WooCommerce: items
    /// added or removed, quantities changed): OrderCore does not change an order's goods on a channel's
    /// word, so a person decides, with a `channel_lines_changed` alert listing both (units per SKU). Where
    /// the profile reads the units still on each line (`current_qty`), they are compared with the units not
    /// cancelled here; otherwise the lines' quantities are.
    private func noticeChangedLines(
        _ order: Order, _ event: MappedEvent, channel: String, result: inout JSONObject
    ) throws {
        guard OrderState.beforeShipment.contains(order.state), let lines = event.fields["lines"]?.arrayValue
        else { return }
        let current = !event.currentUnits.isEmpty
        var theirs: [String: Int64] = [:]
        for (i, line) in lines.enumerated() {
            guard let sku = line["sku"]?.stringValue, let qty = line["qty"]?.intValue else { continue }
            theirs[sku, default: 0] += event.currentUnits[Int64(i + 1)] ?? qty
        }
        var ours: [String: Int64] = [:]
        for line in try store.lines(orderRowID: order.rowID) {
            ours[line.sku, default: 0] += line.qty - (current ? line.quantity(.cancelled) : 0)
        }
        theirs = theirs.filter { $0.value > 0 }
        ours = ours.filter { $0.value > 0 }
        guard theirs != ours else { return }
        func units(_ counts: [String: Int64]) -> JSON {
            .array(counts.sorted { $0.key < $1.key }.map { ["sku": .string($0.key), "qty": .int($0.value)] })
        }
        try store.openAlert(
            kind: "channel_lines_changed", orderID: order.orderID, at: at,
            details: ["channel": .string(channel), "channel_units": units(theirs), "units": units(ours)])
        result["alert"] = "channel_lines_changed"
    }

    /// The reference of the payment a channel took for its order.
    private static func paymentRef(channel: String, externalID: String) -> String { "\(channel):\(externalID)" }
    /// The reference of the payment the channel's word recorded for an order paid in full there.
    private static func paymentRef(of order: Order) -> String {
        paymentRef(channel: order.channel, externalID: order.externalID ?? order.orderID)
    }
    /// The reference of a pre-sale's deposit the channel took.
    private static func depositRef(channel: String, externalID: String) -> String {
        paymentRef(channel: channel, externalID: externalID) + ":deposit"
    }

    /// The channel voided the payment it reported (the profile's `status.payment_voided`: a Shopify authorization
    /// voided, or not captured in time): no money was taken. Recorded on the channel's word (its payment
    /// reference) for an order the warehouse has not taken up (or one the channel cancels before it left),
    /// the payment is voided as if it had never been recorded (the timeline keeps it: `channel.payment_voided`),
    /// its units no longer count as sold, and the order waits unpaid — held, it stays held, unpaid; cancelled (by
    /// the channel now, or here before), nothing is owed back. The warehouse has it, or it left: the payment
    /// stays, and a `channel_payment_voided` alert asks a person, once: the goods may go, or have gone, for money
    /// never taken. Refunded or disputed here, the money was taken, whatever the status says: nothing changes.
    /// - Returns: whether it voided the payment.
    private func voidChannelPayment(_ order: inout Order, cancelling: Bool, result: inout JSONObject) throws -> Bool {
        guard let voided = try uncapturedChannelPayment(of: order) else { return false }
        let ref = Self.paymentRef(of: order)
        let waiting = order.stage == .paid
        let cancelled = order.state == .cancelled  // by a person here: owing it back
        guard waiting || cancelled || cancelling && OrderState.beforeShipment.contains(order.stage) else {
            let told = try store.events(orderRowID: order.rowID).contains {
                $0.command == "channel.payment_voided" && $0.details["kept"] == true
            }
            guard !told else { return false }
            let details: JSONObject = [
                "channel": .string(order.channel), "payment_ref": .string(ref), "amount": order.money(voided.amount),
                "kept": true,
            ]
            try transition(&order, to: order.state, command: "channel.payment_voided", details: .object(details))
            var alert = details
            alert["state"] = .string(order.state.rawValue)
            try store.openAlert(kind: "channel_payment_voided", orderID: order.orderID, at: at, details: .object(alert))
            result["alert"] = "channel_payment_voided"
            return false
        }
        if !cancelled { try recordSales(of: order, sign: -1) }  // an unpaid order is no sale yet
        // In the warehouse's hands, and cancelled next: it stays where it is until then.
        let state = waiting && order.state != .onHold ? .pendingPayment : order.state
        try takeOff(&order, voided.amount, of: ref, to: state, details: [:]) {
            if waiting, $0.state == .onHold { $0.heldFrom = .pendingPayment }
            $0.paidAt = nil
        }
        // An order that takes its stock at payment holds none unpaid.
        if order.reserveAt == .payment { _ = try releaseReservations(of: order, reason: .release) }
        result["payment_voided"] = order.money(voided.amount)
        return true
    }

    /// Units the channel took off an order whose money it has only authorized (its status is one of the profile's
    /// `status.payment_authorized`: Shopify `authorized`) are not owed back: the channel captures less. What their
    /// cancellation made owed (`part`) comes off the payment recorded on the channel's word, written off.
    private func releaseAuthorized(_ order: inout Order, part: Int64, reason: String) throws {
        guard let authorized = try uncapturedChannelPayment(of: order) else { return }
        let ref = Self.paymentRef(of: order)
        try takeOff(
            &order, min(part, authorized.amount), of: ref, to: order.state, details: ["reason": .string(reason)]
        ) {
            if $0.paidTotal == 0 { $0.paidAt = nil }
        }
    }

    /// The payment recorded on the channel's word for an order paid in full there, while it may be an authorization
    /// not captured: not paid later, nothing of the order refunded or disputed (a refund or a chargeback needs
    /// money captured, whatever the channel's status says).
    private func uncapturedChannelPayment(of order: Order) throws -> Payment? {
        guard !order.paysLater else { return nil }
        let ref = Self.paymentRef(of: order)
        let payments = try store.payments(orderRowID: order.rowID)
        guard let payment = payments.first(where: { $0.kind == "payment" && $0.paymentRef == ref }),
            !payments.contains(where: { $0.kind == "refund" }), try store.disputes(orderRowID: order.rowID).isEmpty
        else { return nil }
        return payment
    }

    /// Takes `amount` of the channel's payment `ref` off an order, as if it had never been recorded (the timeline
    /// keeps it: `channel.payment_voided`), the order moved to `state` with `change` made. What it owed back of
    /// it (units cancelled, or the order) is owed no more: their value is written off, never having been paid.
    private func takeOff(
        _ order: inout Order, _ amount: Int64, of ref: String, to state: OrderState, details: JSONObject,
        change: (inout Order) -> Void
    ) throws {
        try store.reducePayment(ref: ref, by: amount)
        var details = details
        details["channel"] = .string(order.channel)
        details["payment_ref"] = .string(ref)
        details["amount"] = order.money(amount)
        let at = self.at
        try transition(&order, to: state, command: "channel.payment_voided", details: .object(details)) {
            $0.paidTotal -= amount
            let settled = min($0.refundDue, amount)
            $0.refundDue -= settled
            $0.writeOff(settled, at: at)
            change(&$0)
        }
        if order.refundDue == 0 { try store.clearOrderAlerts(kind: "refund_overdue", orderID: order.orderID, at: at) }
    }

    /// Whether the channel has only authorized the order's money, as it last reported (the profile's
    /// `status.payment_authorized`).
    private func authorizedThere(_ order: Order, channel: Channel) throws -> Bool {
        guard let reported = try store.sourceStatus(orderRowID: order.rowID, source: channel.channel) else {
            return false
        }
        return try requireProfile(channel.profileName).events.contains { $0.paymentAuthorized.contains(reported) }
    }

    /// The deposit of a pre-sale the channel says is paid, or the part paid of an order gone unpaid (the
    /// profile's `deposit`: Taobao `step_paid_fee`, Shopify's total less what is outstanding), when it is one an
    /// order of `total` can have: more than zero and less than the total. Nil otherwise: a pre-sale waits
    /// unpaid, with a `deposit_not_recorded` warning. (Cash on delivery takes none: see `ProfileMapper`.)
    private static func deposit(_ event: MappedEvent, exponent: Int, total: Int64) -> Int64? {
        guard let text = event.fields["deposit"]?.stringValue,
            let deposit = Money.parse(text, exponent: exponent), 0 < deposit, deposit < total
        else { return nil }
        return deposit
    }

    /// States in which the channel has the buyer's money, and in which the goods have left. `on_hold` there
    /// is a paid order the channel asks not to ship for now (JD `LOCKED`: the buyer asked to cancel).
    private static let paidThere: Set<OrderState> = [
        .paid, .onHold, .allocated, .picking, .packed, .partiallyShipped, .shipped, .delivered, .completed,
    ]
    /// The reason of a hold a channel asked for (JD `LOCKED`: the buyer asked to cancel there): lifted
    /// when the channel reports the order paid again, or by a supervisor.
    static let channelHoldPrefix = "held by the channel: "
    static func channelHoldReason(_ channel: String) -> String {
        channelHoldPrefix + "do not ship until \(channel) releases it"
    }
    private static let shippedThere: Set<OrderState> = [.shipped, .delivered, .completed]
    /// Paid orders in OrderCore's own fulfilment queue.
    private static let queuedHere: Set<OrderState> = [.paid, .allocated, .picking, .packed]
    /// Paid orders whose goods have not all left here.
    private static let waitingHere: Set<OrderState> = OrderState.beforeShipment.subtracting(OrderState.unpaid).union([
        .partiallyShipped
    ])

    /// Brings the order to where the channel says it is. Paid there means paid here (the channel took
    /// the money). Cancelled (voided, refunded) there means cancelled here: its stock is released and
    /// what it had paid is recorded as refunded by the channel. Shipped, delivered or completed there,
    /// for an order OrderCore has not shipped, records the channel's shipment — never a second one —
    /// and, for an order that was already in OrderCore's queue, raises a `channel_shipped` alert for a
    /// person (its picked or packed units are still on the bench); delivered or completed there, for an
    /// order shipped here, delivers (and completes) it. An order the channel fulfils from
    /// its own stock waits on hold for the channel's shipment. Anything else (the channel behind
    /// OrderCore) is left to the status anchor (`status.drift`).
    private func follow(
        _ order: inout Order, channelState: OrderState, event: MappedEvent, shipment: ChannelShipment,
        channel: Channel, reference: String, result: inout JSONObject
    ) throws {
        let created = result["action"]?.stringValue?.hasPrefix("created") == true
        let wasCancelled = order.state == .cancelled
        var acted = false
        func did(_ action: String) {
            result["action"] = .string(created ? "created_" + action : action)
            acted = true
        }
        // Cancelled after the channel shipped it (a status rule's `shipped`): its shipment first, whether or not
        // its event came, then the cancellation of an order whose goods left.
        let reached = event.shippedBeforeCancel ? OrderState.shipped : channelState
        if Self.paidThere.contains(reached), order.state == .cancelled, !created {
            // The channel has the buyer's money (or sent the goods) for an order cancelled here — by a
            // person, or by the channel's earlier word (a WooCommerce payment that failed, then went
            // through). Cancelled is final here, so a person decides: refund at the channel or enter the
            // order again. Never silent: the event answers `unchanged`.
            try store.openAlert(
                kind: "channel_paid_cancelled", orderID: order.orderID, at: at,
                details: ["channel": .string(channel.channel), "channel_state": .string(reached.rawValue)])
            result["alert"] = "channel_paid_cancelled"
        }
        let externalID = order.externalID ?? order.orderID
        // Records what the channel took, with the channel's authority.
        func pay(_ amount: Int64, ref: String, _ action: String) throws {
            payingForChannel = true
            defer { payingForChannel = false }
            _ = try OrderCommands.pay.run(
                self,
                Fields([
                    "order_id": .string(order.orderID), "amount": order.money(amount), "payment_ref": .string(ref),
                ]))
            order = try requireOrder(order.orderID)
            did(action)
        }
        // Cancelled there after the channel took the money (its earlier events missed): paid first, as an order
        // first seen so is, then cancelled — owed back, or refunded as the channel says.
        let paidBeforeCancel = event.paidBeforeCancel && !order.cashOnDelivery
        // Paid there, and owing here: before it is fulfilled, or (cash on delivery, or shipped unpaid) after.
        func payIfPaidThere() throws {
            guard Self.paidThere.contains(reached) || paidBeforeCancel, !event.unpaid, order.amountDue > 0,
                OrderState.unpaid.contains(order.stage) || OrderState.fulfilledUnpaid.contains(order.stage)
            else { return }
            // The amount due, named: a pre-sale's default payment is its deposit.
            try pay(order.amountDue, ref: Self.paymentRef(channel: channel.channel, externalID: externalID), "paid")
        }
        if event.paymentVoided, !created,
            try voidChannelPayment(&order, cancelling: channelState == .cancelled, result: &result)
        {
            did("payment_voided")
        } else if !created, Self.paidThere.contains(reached), !event.unpaid {
            // Paid there again (charged anew, or marked paid): the payment it had voided is no longer missing.
            try store.clearOrderAlerts(kind: "channel_payment_voided", orderID: order.orderID, at: at)
        }
        try payIfPaidThere()
        // A pre-sale whose deposit is paid there, unpaid here: its deposit is paid, and its stock held until
        // the channel reports the balance paid (then `payIfPaidThere`) or closes it. So is the part paid of an
        // order shipped, or cancelled, there before it was paid in full, before what the event ships or refunds.
        if channelState == .depositPaid
            || event.unpaid && (OrderState.leftTheWarehouse.contains(channelState) || event.paidBeforeCancel)
                && !order.cashOnDelivery,
            order.stage == .pendingPayment, order.paidTotal == 0, !created
        {
            if !order.cashOnDelivery,
                let deposit = Self.deposit(event, exponent: order.exponent, total: order.totals.grandTotal),
                order.deposit == nil || order.deposit == deposit
            {
                if order.deposit == nil { try store.setDeposit(orderRowID: order.rowID, deposit) }
                try pay(deposit, ref: Self.depositRef(channel: channel.channel, externalID: externalID), "deposit_paid")
            } else if channelState == .depositPaid {
                result["warnings"] = .array(
                    (result["warnings"]?.arrayValue ?? []) + [IntakeChecks.depositNotRecorded(event)])
            }
        }
        // Its payment failed there, and the channel holds nothing for it: neither does OrderCore until the
        // channel reports it paid (the buyer may pay again; then it takes its stock, backordering any short).
        if event.holdsNothing, !created, order.stage == .pendingPayment, order.reserveAt != .payment {
            result["released_units"] = .int(try releaseReservations(of: order, reason: .release))
            try store.setReserveAt(orderRowID: order.rowID, .payment)
            try store.clearOrderAlerts(kind: "backorder", orderID: order.orderID, at: at)
            did("stock_released")
        }
        // What has left there and not here: every unit, or for a partly shipped order the units the
        // channel reports shipped (the profile's `shipped_qty` and `shipped_when`) beyond those shipped here.
        var leaving: [Int64: Int64]??
        // Shipped unpaid there (cash on delivery, payment terms, a pre-sale's balance due on shipment): it left
        // all the same.
        var waiting: Bool {
            Self.waitingHere.contains(order.state) || OrderState.unpaid.contains(order.state) && event.unpaid
        }
        if waiting {
            if Self.shippedThere.contains(reached) {
                leaving = .some(nil)
            } else if channelState == .partiallyShipped,
                case let units = try unitsLeft(order, reported: event.shippedUnits), !units.isEmpty
            {
                leaving = units
            }
        }
        // Refunds that took their units off before the channel's shipment go first: those units never left.
        var refunds = event.refunds
        var refunded: [JSON] = []
        if leaving != nil, !refunds.isEmpty {
            let lines = try store.lines(orderRowID: order.rowID)
            func early(_ refund: JSONObject) -> Bool {
                Self.beforeShipment(refund, event: event, lines: lines, shippedAt: shipment.shippedAt)
            }
            let first = refunds.filter(early)
            if !first.isEmpty {
                refunds.removeAll(where: early)
                refunded = try applyChannelRefunds(&order, first, authorized: event.paymentAuthorized)
                if !waiting { leaving = nil }  // they were all that was left (cancelled, or shipped with the rest)
            }
        }
        if let leaving {
            // Shipped unpaid (a bank deposit, a pre-sale's balance): sold as it leaves, since no payment counts
            // it. An order paid later (on delivery, on its terms) counted when it was placed.
            if OrderState.unpaid.contains(order.stage), !order.paysLater {
                try store.addSales(orderRowID: order.rowID, day: try businessDay(at), sign: 1)
            }
            // Units allocated here may have been picked or packed: a person must put them back. An order nobody
            // here has allocated (paid, waiting) has nothing to put back.
            let allocatedHere =
                try !created && !shipment.byChannel
                && store.lines(orderRowID: order.rowID).contains { $0.quantity(.allocated) > $0.quantity(.shipped) }
            let details = try recordChannelShipment(
                &order, reaching: reached, units: leaving, shipment: shipment,
                moveStock: channel.shippedOrdersMoveStock && !shipment.byChannel,
                channel: channel.channel, reference: reference)
            result["shipment"] = .object(details)
            if allocatedHere {
                try store.openAlert(
                    kind: "channel_shipped", orderID: order.orderID, at: at, details: .object(details))
            }
            did(order.state.rawValue)
            // Numbers the channel corrected for parcels of earlier parts (known by their ids), in the same event.
            if !created, shipment.parcels.contains(where: { $0.ref != nil }),
                case let corrected = try nameChannelParcels(
                    &order, shipment: shipment, channel: channel.channel,
                    unnamed: false), !corrected.isEmpty
            {
                result["tracking_added"] = .array(corrected)
            }
        } else if !created, shipment.parcels.contains(where: { $0.trackingNo != nil }),
            OrderState.leftTheWarehouse.contains(order.stage),
            case let named = try nameChannelParcels(&order, shipment: shipment, channel: channel.channel),
            !named.isEmpty
        {
            // Numbers for parcels the channel shipped without one, or corrected.
            result["tracking_added"] = .array(named)
            did("tracking_added")
        }
        if case let flagged = try flagCancelledParcels(&order, shipment: shipment, channel: channel.channel),
            !flagged.isEmpty
        {
            result["parcels_cancelled"] = .array(flagged)
            if result["alert"] == nil { result["alert"] = "channel_parcel_cancelled" }
        }
        // Where the channel says its parcels are (delivered, refused, lost), as of its event: each shipment told once.
        let wasDelivered = order.state == .delivered
        if case let told = try reportParcels(
            &order, parcels: shipment.parcels, channel: channel.channel, time: min(event.updatedAt ?? at, at)),
            !told.isEmpty
        {
            result["parcels"] = .array(told)
            if order.state == .delivered, !wasDelivered { did("delivered") } else if !acted { did("parcel_status") }
        }
        // Paid in part there (Shopify `partially_paid`), and gone unpaid or sold on credit (paid in instalments):
        // what the channel took beyond what is recorded is recorded, the rest owed until the channel says it is
        // paid.
        if event.unpaid, !order.cashOnDelivery, order.state != .cancelled,
            order.paymentTerms != nil || OrderState.leftTheWarehouse.contains(order.stage),
            let part = Self.deposit(event, exponent: order.exponent, total: order.totals.grandTotal),
            part > order.paidTotal, part - order.paidTotal < order.amountDue
        {
            let ref =
                order.paidTotal == 0
                ? Self.depositRef(channel: channel.channel, externalID: externalID)
                : Self.paymentRef(channel: channel.channel, externalID: externalID) + ":paid-"
                    + Money.format(part, exponent: order.exponent)
            try pay(part - order.paidTotal, ref: ref, order.state.rawValue)
        }
        // Shipped here, and the buyer has it there (signed for, receipt confirmed): delivered, and completed
        // when the channel says so, on the channel's word — the carrier's tracking may never tell.
        if !created,
            order.state == .shipped && (channelState == .delivered || channelState == .completed)
                || order.state == .delivered && channelState == .completed
        {
            try deliverAtChannel(&order, completed: channelState == .completed, channel: channel.channel)
            did(order.state.rawValue)
        }
        if !refunds.isEmpty {
            refunded += try applyChannelRefunds(&order, refunds, authorized: event.paymentAuthorized)
        }
        if !refunded.isEmpty { result["refunds"] = .array(refunded) }
        if channelState == .cancelled, event.forfeitsDeposit, order.stage == .depositPaid {
            // Closed there with its balance unpaid: the deposit is the channel's to keep, and nothing is owed.
            _ = try closeUnpaid(
                &order, reason: "closed on \(channel.channel) with its balance unpaid", command: "channel.closed",
                ledger: .release, details: ["channel": .string(channel.channel)])
            did("cancelled")
        } else if channelState == .cancelled,
            !created || OrderState.beforeShipment.contains(order.state) || event.shippedBeforeCancel
        {
            if try cancelFromChannel(
                &order, reason: "cancelled on \(channel.channel)", channel: channel.channel,
                refunded: !event.unrefunded, result: &result)
            {
                did("cancelled")
            }
        } else if channelState == .onHold, OrderState.holdable.contains(order.state) {
            let reason =
                event.test
                ? Self.channelHoldPrefix + "a test order on \(channel.channel): no money moved; do not ship"
                : Self.channelHoldReason(channel.channel)
            _ = try FulfillmentCommands.hold.run(
                self, Fields(["order_id": .string(order.orderID), "reason": .string(reason)]))
            did("held")
        } else if Self.queuedHere.contains(channelState) || channelState == .partiallyShipped
            || channelState == .pendingPayment && order.amountDue > 0,
            order.state == .onHold, order.holdReason == Self.channelHoldReason(channel.channel)
        {
            // The channel lifted its hold: the order is to ship again (unpaid, when it is paid on delivery), or
            // (held unpaid: a WooCommerce order taken out of the trash) waits for its payment again.
            let released = try FulfillmentCommands.release.run(
                self,
                Fields(["order_id": .string(order.orderID), "reason": .string("released on \(channel.channel)")]))
            // Another hold may stand (the risk rules', a person's): it takes the channel's place.
            did(released["state"] == .string(OrderState.onHold.rawValue) ? "still_held" : "released")
            // Held unpaid (a WooCommerce order in the trash), and paid there since.
            order = try requireOrder(order.orderID)
            try payIfPaidThere()
        } else if shipment.byChannel, order.state == .paid {
            _ = try FulfillmentCommands.hold.run(
                self,
                Fields([
                    "order_id": .string(order.orderID),
                    "reason": .string("fulfilled by \(channel.channel) from its own stock: waits for its shipment"),
                ]))
            did("held")
        }
        if acted { order = try requireOrder(order.orderID) }
        // Refunds that took back every unit (a Taobao trade refunded and closed, a Shopify order refunded whole)
        // cancelled it.
        if order.state == .cancelled, created || !wasCancelled {
            result["action"] = .string(created ? "created_cancelled" : "cancelled")
        }
    }

    /// Whether a refund an order payload carries was made before the channel's shipment: it says so
    /// (`before_shipment`), or it was made earlier (`at`: before the first of its shipments), or it takes its
    /// units off the order (`cancel_units`) and the channel reports none of their lines shipped while it reports
    /// others (a Taobao sub-order closed, a Shopify line refunded whole and never fulfilled, also between two
    /// fulfilments).
    private static func beforeShipment(
        _ refund: JSONObject, event: MappedEvent, lines: [OrderLine], shippedAt: Int64?
    ) -> Bool {
        if case .bool(let before)? = refund["before_shipment"] { return before }
        if let at = refund["at"]?.intValue, let shippedAt, at < shippedAt { return true }
        guard refund["cancel_units"] == true, !event.shippedUnits.isEmpty,
            let units = refund["units"]?.arrayValue, !units.isEmpty
        else { return false }
        return units.allSatisfy { unit in
            let theirs = lineNamed(by: unit, lines).map { [$0] } ?? lines.filter { $0.sku == unit["sku"]?.stringValue }
            return theirs.allSatisfy { event.shippedUnits[$0.lineNo] == nil }
        }
    }

    /// The line a channel refund's unit names by the channel's id of it (`line_ref`), if the order has it (an
    /// order that arrived before lines kept their ids has none).
    private static func lineNamed(by unit: JSON, _ lines: [OrderLine]) -> OrderLine? {
        guard let ref = unit["line_ref"]?.stringValue else { return nil }
        return lines.first { $0.lineRef == ref }
    }

    /// A channel refund with its units named as `order.refund` and `order.cancel` take them: those whose line
    /// the order has (`lineNamed`) by its number, the others by SKU.
    private static func onTheirLines(_ refund: JSONObject, _ lines: [OrderLine]) -> JSONObject {
        guard case .array(let units)? = refund["units"] else { return refund }
        var refund = refund
        refund["units"] = .array(
            units.map { unit in
                guard case .object(var u) = unit, u["line_ref"] != nil else { return unit }
                if let line = lineNamed(by: unit, lines) {
                    u["line_no"] = .int(line.lineNo)
                    u["sku"] = .string(line.sku)  // the line's, whatever the refund spells it
                }
                u["line_ref"] = nil
                return .object(u)
            })
        return refund
    }

    /// The units of each line the channel reports shipped (`reported`, by line number, counted from the
    /// start) that OrderCore has not: a channel's count never ships units cancelled here, and one that
    /// is behind OrderCore's own shipments ships nothing.
    private func unitsLeft(_ order: Order, reported: [Int64: Int64]) throws -> [Int64: Int64] {
        var left: [Int64: Int64] = [:]
        for line in try store.lines(orderRowID: order.rowID) {
            guard let shipped = reported[line.lineNo] else { continue }
            let units = min(shipped, line.notCancelled) - line.quantity(.shipped)
            if units > 0 { left[line.lineNo] = units }
        }
        return left
    }

    /// Records the refunds an order payload carries, once each (by the channel's refund id), with the
    /// units they were for. A refund the order has no money left for (its cancellation was already
    /// recorded as refunded) is reported as `covered`, never recorded twice.
    /// - Returns: each refund's outcome: `recorded`, `already_recorded` or `covered`.
    private func applyChannelRefunds(_ order: inout Order, _ refunds: [JSONObject], authorized: Bool) throws -> [JSON] {
        var outcomes: [JSON] = []
        let named = refunds.contains { $0["units"]?.arrayValue?.contains { $0["line_ref"] != nil } == true }
        let lines = named ? try store.lines(orderRowID: order.rowID) : []
        for refund in refunds.map({ Self.onTheirLines($0, lines) }) {
            let ref = refund["refund_ref"] ?? .null
            guard let amount = refund["amount"]?.stringValue.flatMap({ Money.parse($0, exponent: order.exponent) })
            else { continue }
            if amount == 0 {
                outcomes.append(.object(try cancelChannelUnits(&order, refund, authorized: authorized)))
                continue
            }
            let payments = try store.payments(orderRowID: order.rowID)
            if payments.contains(where: { $0.kind == "refund" && .string($0.paymentRef ?? "") == ref }) {
                var outcome: JSONObject = ["refund_ref": ref, "outcome": "already_recorded"]
                // Units it names that it was recorded without (an order's update named only its money).
                if let refundRef = ref.stringValue, case let units = (try? OrderUnits.parse(Fields(refund))) ?? [],
                    try RefundCommands.recordUnits(
                        self, &order, refundRef: refundRef, units, cancel: refund["cancel_units"] == true,
                        unshipped: refund["before_shipment"] == true)
                {
                    outcome["units_recorded"] = true
                }
                outcomes.append(.object(outcome))
                continue
            }
            var refund = refund
            if refund["cancel_units"] == true, refund["units"] != nil,
                RefundCommands.unitsCancelled(by: ref, try store.events(orderRowID: order.rowID))
            {
                // Its units were taken off when it gave nothing back (its transactions failed): now it brings
                // only the money.
                refund["units"] = nil
                refund["cancel_units"] = nil
            }
            var unclaimed: [String] = []
            if let refundRef = ref.stringValue,
                let echo = try returnRefundEchoed(&order, refundRef: refundRef, amount: amount, payments: payments)
            {
                switch echo {
                case .same(let outcome, let returnRef):
                    outcomes.append(["refund_ref": ref, "outcome": outcome, "return_refund_ref": .string(returnRef)])
                    continue
                case .unclaimed(let refs): unclaimed = refs
                }
            }
            let left = order.paidTotal - Payment.refunded(payments)
            var outcome: JSONObject = ["refund_ref": ref]
            if left > 0 {
                var args = refund
                args["order_id"] = .string(order.orderID)
                args["at"] = nil
                args["before_shipment"] = nil
                args["amount"] = order.money(min(amount, left))
                _ = try RefundCommands.refund(
                    self, Fields(args), asked: false, unshipped: refund["before_shipment"] == true, byChannel: true)
                order = try requireOrder(order.orderID)
                outcome["outcome"] = "recorded"
                outcome["amount"] = order.money(min(amount, left))
                // Units it stopped had been picked: a person puts them back (named as the cancellation's alert is).
                if try store.alertOpened(kind: "refunded_unshipped", orderID: order.orderID, at: at) {
                    outcome["alert"] = "refunded_unshipped"
                }
            } else if refund["cancel_units"] == true,
                case let stopped = try cancelChannelUnits(&order, refund, authorized: authorized),
                stopped["outcome"] != "unchanged" || stopped["alert"] != nil
            {
                // Nothing paid is left to give back (cash on delivery before it shipped: nothing was paid), and the
                // units it takes off still do not ship.
                outcome = stopped
            } else {
                outcome["outcome"] = "covered"
                outcome["amount"] = order.money(amount)
            }
            // Money of its own, while a return refunded here is matched by no channel refund: the two may be
            // one refund of different amounts (the channel also gave back shipping). A person compares.
            if !unclaimed.isEmpty {
                try store.openAlert(
                    kind: "channel_refund_unmatched", orderID: order.orderID, ref: ref.stringValue, at: at,
                    details: [
                        "channel": .string(order.channel), "refund_ref": ref, "amount": order.money(amount),
                        "return_refunds": .array(unclaimed.map(JSON.string)),
                    ])
                outcome["alert"] = "channel_refund_unmatched"
            }
            // Covered by the cancellation recorded as refunded, the channel's own refunds come to what it
            // stood in for. Beyond what was paid, the channel's figures and OrderCore's disagree (duties or a
            // fee the order lacks, a refund twice under two ids): recorded up to what was paid, and never silent.
            // An order never paid here (its payment never reported: a lost webhook, history arriving cancelled)
            // had a payment the channel gave back; within its total, nothing disagrees.
            let standIn = Self.cancelRefundRef(order)
            let neverPaidHere = order.paidTotal == 0 && amount <= order.totals.grandTotal
            if amount > left, !neverPaidHere, left > 0 || !payments.contains(where: { $0.paymentRef == standIn }) {
                outcome["reported"] = order.money(amount)
                try store.openAlert(
                    kind: "channel_refund_exceeds", orderID: order.orderID, ref: ref.stringValue, at: at,
                    details: [
                        "channel": .string(order.channel), "refund_ref": ref, "reported": order.money(amount),
                        "paid": order.money(order.paidTotal),
                    ])
                outcome["alert"] = "channel_refund_exceeds"
            }
            outcomes.append(.object(outcome))
        }
        return outcomes
    }

    /// A channel's cancellation (its order's state, or a cancel event: an Amazon buyer's cancel request).
    /// Before the goods leave, the order is cancelled (`cancelAtChannel`). After they left — a parcel refused
    /// at the door, lost, returned and refunded there, or a request that came too late — what has not left is
    /// cancelled and its stock released, and a `channel_cancelled_shipped` alert tells a person: nothing here
    /// undoes a shipment by itself, a person takes in what comes back (`return.request`). An order with a
    /// return already under way is left to it.
    /// - Returns: whether anything was cancelled.
    func cancelFromChannel(
        _ order: inout Order, reason: String, channel: String, refunded: Bool, result: inout JSONObject
    ) throws -> Bool {
        if OrderState.beforeShipment.contains(order.state) {
            try cancelAtChannel(&order, reason: reason, channel: channel, refunded: refunded)
            return true
        }
        guard OrderState.leftTheWarehouse.contains(order.stage), try store.returns(orderRowID: order.rowID).isEmpty
        else { return false }
        let partly = order.stage == .partiallyShipped
        if partly { try cancelAtChannel(&order, reason: reason, channel: channel, refunded: refunded) }
        try store.openAlert(
            kind: "channel_cancelled_shipped", orderID: order.orderID, at: at,
            details: [
                "channel": .string(channel), "state": .string(order.state.rawValue), "reason": .string(reason),
            ])
        result["alert"] = "channel_cancelled_shipped"
        return partly
    }

    /// A channel's refund of no money that takes units off the order (`cancel_units`: a Shopify refund that
    /// only restocked them, or whose transactions failed — Shopify no longer fulfils them either way): they are
    /// cancelled here, once (by the refund's id), as `order.cancel` with `units` cancels them — their value owed
    /// back while the channel has not refunded it (`refund_due`), or no longer due (cash on delivery). Units
    /// already cancelled are left as they are; an order paid in part, not on delivery, is left to the
    /// `channel_lines_changed` alert, and a partly shipped one, unless the refund says its units had not shipped
    /// (`before_shipment`), to a `refunded_unshipped` alert (once, by a `channel.refund` timeline entry). Units
    /// picked or packed here are cancelled too (put back). All that was left to ship cancels the order, the
    /// money still owed.
    /// - Returns: the outcome: `units_cancelled`, `already_recorded` or `unchanged`.
    private func cancelChannelUnits(_ order: inout Order, _ refund: JSONObject, authorized: Bool) throws -> JSONObject {
        let ref = refund["refund_ref"] ?? .null
        guard let refundRef = ref.stringValue, refund["cancel_units"] == true,
            case let units = (try? OrderUnits.parse(Fields(refund))) ?? [], !units.isEmpty
        else { return ["refund_ref": ref, "outcome": "unchanged"] }
        let events = try store.events(orderRowID: order.rowID)
        if RefundCommands.unitsCancelled(by: ref, events) { return ["refund_ref": ref, "outcome": "already_recorded"] }
        if order.stage == .partiallyShipped, refund["before_shipment"] != true {
            // Shopify counts a line's refunded units against its fulfilled ones first: which of them no longer
            // ship is not known from this refund alone (unless it says they had not: restock type `cancel`).
            // A person decides, told once.
            if events.contains(where: { $0.command == "channel.refund" && $0.details["refund_ref"] == ref }) {
                return ["refund_ref": ref, "outcome": "already_recorded"]
            }
            let named: JSON = .array(units.map(\.json))
            try transition(
                &order, to: order.state, command: "channel.refund", details: ["refund_ref": ref, "units": named])
            try alertPutBack(
                order, reason: "taken off the order on \(order.channel) (\(refundRef)) after part of it shipped",
                units: named, ref: refundRef)
            return ["refund_ref": ref, "outcome": "unchanged", "alert": "refunded_unshipped"]
        }
        guard OrderCommands.unitsCancellable(order) else { return ["refund_ref": ref, "outcome": "unchanged"] }
        // What is left to cancel, of the line named or of the SKU's lines: the channel's count never cancels a
        // unit twice.
        let lines = try store.lines(orderRowID: order.rowID)
        var open = OrderCommands.cancellable(lines)
        var taken: [OrderUnits] = []
        for var unit in try OrderUnits.resolved(units, lines, orderID: order.orderID) {
            var left = unit.qty
            for i in unit.candidates(lines, by: nil, cheapestFirst: true) {
                let take = min(open[i], left)
                open[i] -= take
                left -= take
            }
            unit.qty -= left
            if unit.qty > 0 { taken.append(unit) }
        }
        guard !taken.isEmpty else { return ["refund_ref": ref, "outcome": "unchanged"] }
        let reason = "taken off the order on \(order.channel) (\(refundRef))"
        let owed = order.refundDue
        if try OrderCommands.cancelUnits(self, &order, taken, reason: reason, refundRef: refundRef) == nil {
            try cancelAtChannel(&order, reason: reason, channel: order.channel, refunded: false)
        }
        order = try requireOrder(order.orderID)
        // Taken off before the channel captured the money: it captures less, and nothing is owed back.
        if authorized, order.refundDue > owed {
            try releaseAuthorized(&order, part: order.refundDue - owed, reason: reason)
        }
        return [
            "refund_ref": ref, "outcome": "units_cancelled",
            "units": .array(taken.map(\.json)),
        ]
    }

    /// A channel's refund that is the money a return here already paid back (`return.refund`, its reference
    /// not the channel's): the buyer was refunded once, and both report it. The first refund of a return of
    /// this order, of the same amount, that no channel refund has claimed is claimed by this one (a
    /// `channel.refund` timeline entry naming both); nothing more is recorded, and the units are the return's.
    /// - Returns: `same`, with the outcome (`matches_return`, or `already_recorded` when this refund claimed
    ///   one before) and the return refund's reference; `unclaimed`, the references of the return refunds no
    ///   channel refund claimed, when none has this amount; nil when the order has none.
    private func returnRefundEchoed(
        _ order: inout Order, refundRef: String, amount: Int64, payments: [Payment]
    ) throws -> ReturnEcho? {
        let returns = try store.returns(orderRowID: order.rowID)
        guard !returns.isEmpty else { return nil }
        var returnRefs: Set<String> = []
        for r in returns {
            for refund in try store.returnRefunds(returnRowID: r.rowID) {
                if let ref = refund["refund_ref"]?.stringValue { returnRefs.insert(ref) }
            }
        }
        var claimed: [String: String] = [:]  // return refund -> channel refund
        for entry in try store.events(orderRowID: order.rowID) where entry.command == "channel.refund" {
            if let mine = entry.details["refund_ref"]?.stringValue, let theirs = entry.details["same_as"]?.stringValue {
                claimed[theirs] = mine
            }
        }
        if let earlier = claimed.first(where: { $0.value == refundRef }) {
            return .same(outcome: "already_recorded", returnRef: earlier.key)
        }
        let open = payments.filter {
            $0.kind == "refund" && $0.paymentRef.map { returnRefs.contains($0) && claimed[$0] == nil } == true
        }
        guard let match = open.first(where: { $0.amount == amount })?.paymentRef else {
            return open.isEmpty ? nil : .unclaimed(open.compactMap(\.paymentRef))
        }
        try transition(
            &order, to: order.state, command: "channel.refund",
            details: ["refund_ref": .string(refundRef), "same_as": .string(match), "amount": order.money(amount)])
        return .same(outcome: "matches_return", returnRef: match)
    }

    /// What a channel's refund is to the refunds of the order's returns (`returnRefundEchoed`).
    private enum ReturnEcho {
        case same(outcome: JSON, returnRef: String)
        case unclaimed([String])
    }

    /// The reference under which a channel's cancellation records the order's money as refunded.
    private static func cancelRefundRef(_ order: Order) -> String {
        "\(order.channel)-cancel-\(order.externalID ?? order.orderID)"
    }

    /// Cancels an order its channel cancelled and records what it had paid as refunded there: the
    /// channel gave the buyer's money back, so nothing is left owing.
    /// - Parameter refunded: false when the channel says the money has not gone back (a Shopify order
    ///   cancelled without a refund): it stays owed (`refund_due`) until the channel reports the refund.
    func cancelAtChannel(_ order: inout Order, reason: String, channel: String, refunded: Bool = true) throws {
        // Picked or packed here (the rest of a partly shipped one too): its parcels are taken apart, and a person
        // puts its units back.
        let stage = order.stage
        let inHand =
            try stage == .partiallyShipped && hasUnitsInHand(order, lines: store.lines(orderRowID: order.rowID))
        if stage == .picking || stage == .packed || inHand {
            _ = try unpack(&order, reason: reason)
            try store.openAlert(
                kind: "channel_cancelled_picked", orderID: order.orderID, at: at,
                details: ["channel": .string(channel), "state": .string(stage.rawValue)])
        }
        _ = try OrderCommands.cancel.run(self, Fields(["order_id": .string(order.orderID), "reason": .string(reason)]))
        order = try requireOrder(order.orderID)
        guard refunded, order.refundDue > 0 else { return }
        _ = try RefundCommands.refund(
            self,
            Fields([
                "order_id": .string(order.orderID), "amount": order.money(order.refundDue),
                "refund_ref": .string(Self.cancelRefundRef(order)),
                "reason": .string(reason),
            ]), asked: false, byChannel: true)
        order = try requireOrder(order.orderID)
    }
}

/// The documented rules for payloads whose numbers do not add up (docs/channels.md): the lines are
/// the truth; every amount the channel reports that differs from what the lines add up to becomes a
/// warning on the order naming both numbers. Nothing is silently changed to make them agree.
enum IntakeChecks {
    /// The warning for a channel's new address on an order past changing it (shipped, cancelled): it keeps
    /// the address it had.
    static func addressAfterShipment(_ order: Order) -> JSON {
        [
            "code": "address_after_shipment", "field": "ship_to",
            "message": .string(
                "the channel changed the address of \(order.orderID), \(order.state.rawValue) here: the address "
                    + "stays as it was"),
        ]
    }

    /// The warning for a status the profile's mapping does not know (nil when it knows it), saying what
    /// became of the order (`outcome`).
    static func statusUnmapped(_ event: MappedEvent, outcome: String) -> JSON? {
        guard let reported = event.reportedStatus, event.state == nil else { return nil }
        return [
            "code": "status_unmapped", "status": .string(reported),
            "message": .string(
                "the channel's status '\(reported)' is not in its profile's status mapping: \(outcome) "
                    + "(status.drift lists it)"),
        ]
    }

    /// The channel says a pre-sale's deposit is paid, and the profile's `deposit` is not one the order can
    /// have (missing, not an amount, not more than zero, not less than the total, a cash-on-delivery order's): the
    /// order waits unpaid, as before the deposit, until the channel reports it paid or closed.
    static func depositNotRecorded(_ event: MappedEvent) -> JSON {
        [
            "code": "deposit_not_recorded", "field": "deposit", "value": event.fields["deposit"] ?? .null,
            "message": .string(
                "the channel says the deposit is paid, but its deposit is missing, not an amount, or not more than "
                    + "zero and less than the order's total (nor paid on delivery): the order waits unpaid"),
        ]
    }

    /// A cash-on-delivery order said to be paid at the channel beyond its total: nothing of it is recorded.
    static func prepaidAboveTotal(_ prepaid: Int64, draft: OrderDraft) -> JSON {
        let exponent = Money.exponent(of: draft.currency)
        return [
            "code": "prepaid_mismatch",
            "message": .string(
                "the channel reports \(Money.format(prepaid, exponent: exponent)) paid ahead, more than the order's "
                    + "total \(Money.format(draft.totals.grandTotal, exponent: exponent)): it is not recorded, "
                    + "the whole total is due on delivery"),
            "channel": .string(Money.format(prepaid, exponent: exponent)),
            "computed": .string(Money.format(draft.totals.grandTotal, exponent: exponent)),
        ]
    }

    static func warnings(_ event: MappedEvent, draft: OrderDraft) -> [JSON] {
        let t = draft.totals
        let exponent = Money.exponent(of: draft.currency)
        func money(_ m: Int64) -> JSON { .string(Money.format(m, exponent: exponent)) }
        var warnings = event.warnings
        let computed: [String: Int64] = [
            "grand_total": t.grandTotal,
            "discount_total": t.lineDiscountTotal.addingReportingOverflow(t.discountTotal).partialValue,
            "tax_total": t.taxTotal, "shipping_fee": t.shippingFee,
        ]
        for key in ChannelProfile.orderChecks {
            guard let reported = event.checks[key], let ours = computed[key], reported != ours else { continue }
            warnings.append([
                "code": .string("\(key)_mismatch"),
                "message": .string(
                    "the channel reports \(key) \(Money.format(reported, exponent: exponent)); the order's lines add "
                        + "up to \(Money.format(ours, exponent: exponent))"
                ),
                "channel": money(reported), "computed": money(ours),
            ])
        }
        for (i, line) in draft.lines.enumerated() {
            guard let reported = event.lineChecks[i] else { continue }
            let (gross, overflow) = line.unitPrice.multipliedReportingOverflow(by: line.qty)
            guard !overflow, gross - line.lineDiscount != reported else { continue }
            warnings.append([
                "code": "line_net_mismatch", "line_no": .int(i + 1), "sku": .string(line.sku),
                "message": .string(
                    "line \(i + 1) (\(line.sku)): the channel reports \(Money.format(reported, exponent: exponent)); "
                        + "price x qty - discount is \(Money.format(gross - line.lineDiscount, exponent: exponent))"
                ),
                "channel": money(reported), "computed": money(gross - line.lineDiscount),
            ])
        }
        if let unmapped = statusUnmapped(event, outcome: "the order is taken as unpaid") { warnings.append(unmapped) }
        for note in event.notStock {
            warnings.append([
                "code": "not_stock",
                "message": .string(
                    "line \(note.objectValue?["line"]?.intValue ?? 0)"
                        + (note.objectValue?["sku"]?.stringValue.map { " (\($0))" } ?? "") + " is not stock: "
                        + "\(note.objectValue?["reason"]?.stringValue ?? "")"
                ),
                "line": note,
            ])
        }
        return warnings
    }
}

enum IntakeCommands {
    static let all = [ingest, retry, deadLetters, get, map, profileSet, profileGet, profiles]

    static let ingest = Command(
        "intake.ingest", .write,
        "Store a channel event and apply it once (channel, payload as text or JSON, event_type, event_id, "
            + "external_id); bad payloads become dead letters",
        // What a channel says is applied with its authority (payments, refunds, cancellations, shipments):
        // a person who brings events in by hand is a supervisor.
        role: .supervisor,
        // Hosts take in a channel's events side by side: an event id or a channel's order number another
        // host stored first (a unique key) runs the command again, which then finds it.
        sharing: .concurrent,
        arguments: [
            .key("channel"),
            Argument("payload", .json, required: true, positional: true),
            Argument("event_type", .code, "The channel's event type (topic), when the payload does not say"),
            Argument("event_id", .text, "The channel's event id (a repeated id is a duplicate)"),
            Argument("external_id", .code, "The channel's order number"),
        ],
        result: ["inbox_id", "channel", "event_type", "state", "events"]
    ) { ctx, f in
        let channelCode = try f.requiredCode("channel")
        guard let payload = f.value("payload") else {
            throw OrderCoreError.invalid("payload is required: the channel's JSON (or CSV text)", field: "payload")
        }
        let eventType = try f.code("event_type") ?? "order"
        let eventID = try f.text("event_id", maxLength: 200)
        let externalID = try f.code("external_id")
        try f.finish()
        let channel = try ctx.requireChannel(channelCode)
        let text: String
        switch payload {
        case .string(let s): text = s
        case .object, .array: text = payload.serialized
        default:
            throw OrderCoreError.invalid(
                "payload must be a string, an object or an array, not \(payload.typeName)", field: "payload")
        }
        let limit = try ctx.intSetting(.maxPayloadBytes)
        guard text.utf8.count <= limit else {
            throw OrderCoreError(
                .invalidInput,
                "payload is \(text.utf8.count) bytes; the limit is \(limit) (config intake.max_payload_bytes)",
                details: ["field": "payload", "bytes": .int(text.utf8.count), "limit": .int(limit)])
        }
        // Seen before: the same event id, or (without one) the same payload within the window. The new
        // entry's number goes with that look on PostgreSQL (a duplicate leaves a gap).
        try ctx.store.prefetchNextID("inbox")
        let hash = Engine.hash(text)
        let window = try ctx.intSetting(.dedupeWindowMinutes) * 60_000
        let prior =
            try eventID.map { try ctx.store.inbox(channel: channelCode, eventType: eventType, eventID: $0) }
            ?? (window > 0
                ? try ctx.store.inbox(channel: channelCode, hash: hash, payload: text, since: ctx.at - window) : nil)
        if let prior {
            // A sender that reuses an event id for other content has a bug; applying either would be a guess.
            guard prior.payload == text else {
                throw OrderCoreError(
                    .conflict,
                    "event_id '\(eventID ?? "")' of channel \(channelCode) was already received (inbox \(prior.id)) "
                        + "with a different payload",
                    details: ["inbox_id": .int(prior.id), "event_id": .optional(eventID)])
            }
            return replay(prior)
        }

        let given: JSONObject = externalID.map { ["external_id": .string($0)] } ?? [:]
        let mapped = mapping(
            ctx, channel: channel, payload: payload,
            arguments: mappingArguments(given: given, eventType: eventType, eventID: eventID, channel: channelCode))
        // On PostgreSQL the look for a single event's order goes with the savepoint it is applied in,
        // behind the order's lock.
        if case .success(let (_, elements)) = mapped, elements.count == 1,
            case .success(let event) = elements[0].result, event.type != .skip
        {
            try ctx.store.lockChannelOrder(channel: channel.channel, externalID: event.externalID)
            try ctx.store.prefetch([Store.orderIDRead(channel: channel.channel, externalID: event.externalID)])
        }
        let id = try ctx.store.nextRowID("inbox")
        func insertEntry(state: String, outcome: JSON, awaits: String? = nil) throws {
            try ctx.store.insertInbox(
                id: id, channel: channelCode, eventType: eventType, eventID: eventID, hash: hash, payload: text,
                at: ctx.at, state: state, outcome: outcome, awaits: awaits)
        }
        // An event that maps to one object is stored once, with its outcome. A list's dead elements are
        // stored as entries of their own after it, so it is stored first and its outcome written at the end.
        let list = (try? mapped.get().elements.count).map { $0 > 1 } ?? false
        if list { try insertEntry(state: "applied", outcome: [:]) }
        return try process(
            ctx,
            InboxEntry(
                id: id, channel: channelCode, eventType: eventType, eventID: eventID, payload: text, receivedAt: ctx.at,
                state: "applied", outcome: .object(["arguments": .object(given)]), attempts: 1, updatedAt: ctx.at),
            channel: channel, mapped: mapped
        ) { state, outcome, awaits in
            if list {
                try ctx.store.setInboxOutcome(
                    id: id, state: state, outcome: outcome, at: ctx.at, retried: false, awaits: awaits)
            } else {
                try insertEntry(state: state, outcome: outcome, awaits: awaits)
            }
        }
    }

    /// What the mapping of an event may read besides its payload: what the sender gave with it.
    private static func mappingArguments(
        given: JSONObject, eventType: String, eventID: String?, channel: String
    ) -> JSONObject {
        given.merging(["event_type": .string(eventType), "event_id": .optional(eventID), "channel": .string(channel)])
    }

    /// The mapper of the event's channel and the elements it maps the payload to, or why it cannot: `process`
    /// keeps the event as a dead letter then.
    private static func mapping(
        _ ctx: CommandContext, channel: Channel, payload: JSON, arguments: JSONObject
    ) -> Result<(mapper: ProfileMapper, elements: [MappedElement]), any Error> {
        Result {
            let mapper = try ctx.mapper(for: channel)
            return (mapper, try mapper.elements(payload, arguments: arguments))
        }
    }

    /// Applies an inbox entry in a savepoint and records the outcome: applied, or a dead letter with the reason.
    /// - Parameters:
    ///   - entry: the event; its outcome's `arguments` are what the sender gave besides the payload.
    ///   - mapped: its `mapping`.
    ///   - record: stores the entry's state (`applied` or `dead`), outcome and the channel order a dead letter
    ///     waits for (`awaitedOrder`).
    private static func process(
        _ ctx: CommandContext, _ entry: InboxEntry, channel: Channel,
        mapped: Result<(mapper: ProfileMapper, elements: [MappedElement]), any Error>,
        record: (_ state: String, _ outcome: JSON, _ awaits: String?) throws -> Void
    ) throws -> JSON {
        let inboxID = entry.id
        let given = entry.given
        var outcome: JSONObject = [
            "inbox_id": .int(inboxID), "channel": .string(channel.channel), "event_type": .string(entry.eventType),
        ]
        if !given.isEmpty { outcome["arguments"] = .object(given) }
        let reference = "\(channel.channel):\(inboxID)"
        do {
            let (mapper, elements) = try mapped.get()
            var events: [JSON] = []
            if elements.count == 1 {
                events = [
                    try ctx.store.savepoint {
                        try ctx.apply(elements[0].result, channel: channel, reference: reference)
                    }
                ]
            } else {
                // A list: each element on its own. A bad one becomes a dead letter of its own (its payload
                // alone, retried alone); the good ones are applied.
                for element in elements {
                    do {
                        events.append(
                            try ctx.store.savepoint {
                                try ctx.apply(element.result, channel: channel, reference: reference)
                            })
                    } catch let error as OrderCoreError where IntakeCommands.deadLetterCodes.contains(error.code) {
                        let alone = mapper.payload(of: element.element)
                        let child = try ctx.store.nextRowID("inbox")
                        let letter: JSONObject = [
                            "inbox_id": .int(child), "channel": .string(channel.channel),
                            "event_type": .string(entry.eventType),
                            "state": "dead_letter", "element": .string(element.key), "part_of": .int(inboxID),
                            "error": error.json,
                        ]
                        try ctx.store.insertInbox(
                            id: child, channel: entry.channel, eventType: entry.eventType,
                            eventID: entry.eventID.map { "\($0)#\(element.key)" },
                            hash: Engine.hash(alone), payload: alone, at: ctx.at, state: "dead",
                            outcome: .object(letter), awaits: awaitedOrder(error))
                        try ctx.store.openAlert(
                            kind: "dead_letter", ref: "inbox:\(child)", at: ctx.at, details: .object(letter))
                        events.append(.object(letter))
                    }
                }
            }
            outcome["state"] = "applied"
            outcome["events"] = .array(events)
            let dead = events.filter { $0["state"] == "dead_letter" }.compactMap { $0["inbox_id"] }
            if !dead.isEmpty { outcome["dead_letters"] = .array(dead) }
            try record("applied", .object(outcome), nil)
        } catch let error as OrderCoreError where IntakeCommands.deadLetterCodes.contains(error.code) {
            outcome["state"] = "dead_letter"
            outcome["error"] = error.json
            try record("dead", .object(outcome), awaitedOrder(error))
            try ctx.store.openAlert(
                kind: "dead_letter", ref: "inbox:\(inboxID)", at: ctx.at, details: .object(outcome))
        }
        return .object(outcome)
    }

    /// The failure of an event (a cancellation, a refund) whose channel order has not arrived: its dead
    /// letter waits for the order, whose event applies it (`applyAwaiting`).
    static func orderNotArrived(channel: String, externalID: String) -> OrderCoreError {
        OrderCoreError(
            .notFound,
            "order \(externalID) of channel \(channel) is not known: its order event has not arrived; this event is "
                + "applied when it does",
            details: ["channel": .string(channel), "external_id": .string(externalID), "awaits": "order"])
    }

    /// The channel's order number a dead letter of this failure waits for (`orderNotArrived`).
    private static func awaitedOrder(_ error: OrderCoreError) -> String? {
        guard error.code == .notFound, error.details?["awaits"] == "order" else { return nil }
        return error.details?["external_id"]?.stringValue
    }

    /// Applies the dead letters that wait for a channel order, once an event of the order has found or created
    /// it: a cancellation or a refund delivered before its order lands on it, oldest first.
    /// - Returns: each one's inbox id and state (`applied`, or `dead_letter` with a new reason).
    static func applyAwaiting(_ ctx: CommandContext, channel: Channel, externalID: String) throws -> [JSON] {
        try ctx.store.inboxAwaiting(channel: channel.channel, externalID: externalID).map { entry in
            ["inbox_id": .int(entry.id), "state": try applyAgain(ctx, entry, channel: channel)["state"] ?? .null]
        }
    }

    /// Applies a dead letter again: it is applied (its alert cleared) or stays a dead letter with the new reason.
    private static func applyAgain(_ ctx: CommandContext, _ entry: InboxEntry, channel: Channel) throws -> JSON {
        let mapped = mapping(
            ctx, channel: channel, payload: .string(entry.payload),
            arguments: mappingArguments(
                given: entry.given, eventType: entry.eventType, eventID: entry.eventID, channel: entry.channel))
        let result = try process(ctx, entry, channel: channel, mapped: mapped) { state, outcome, awaits in
            try ctx.store.setInboxOutcome(
                id: entry.id, state: state, outcome: outcome, at: ctx.at, retried: true, awaits: awaits)
        }
        if result.objectValue?["state"] == "applied" {
            try ctx.store.clearRefAlerts(kind: "dead_letter", ref: "inbox:\(entry.id)", at: ctx.at)
        }
        return result
    }

    /// Failures that lie in the event or the data it meets; anything else (busy, I/O) is not the
    /// event's fault, rolls back, and is reported to the sender, who retries.
    static let deadLetterCodes: Set<ErrorCode> = [.invalidInput, .notFound, .conflict, .insufficientStock, .forbidden]

    private static func replay(_ prior: InboxEntry) -> JSON {
        var outcome = prior.outcome.objectValue ?? [:]
        outcome["duplicate"] = true
        outcome["first_received_at"] = .string(Timestamp.format(prior.receivedAt))
        return .object(outcome)
    }

    static let retry = Command(
        "intake.retry", .write,
        "Apply a dead letter again after its profile or data was fixed (inbox_id); it stays a dead letter with the new "
            + "reason if it still fails",
        role: .supervisor,
        sharing: .concurrent,
        arguments: [
            Argument("inbox_id", .integer, required: true, positional: true)
        ],
        result: ["inbox_id", "channel", "event_type", "state", "events"]
    ) { ctx, f in
        let id = try f.requiredInt("inbox_id", min: 1)
        try f.finish()
        let entry = try requireInbox(ctx, id)
        guard entry.state == "dead" else {
            throw OrderCoreError(
                .conflict, "inbox entry \(id) was applied already; only dead letters are retried",
                details: ["inbox_id": .int(id)])
        }
        return try applyAgain(ctx, entry, channel: try ctx.requireChannel(entry.channel))
    }

    private static func requireInbox(_ ctx: CommandContext, _ id: Int64) throws -> InboxEntry {
        guard let entry = try ctx.store.inbox(id: id) else {
            throw OrderCoreError(.notFound, "no inbox entry \(id)", details: ["inbox_id": .int(id)])
        }
        return entry
    }

    static let deadLetters = Command(
        "intake.dead_letters", .read,
        "List events that could not be applied, oldest first, with the reason (channel, after = inbox_id, limit)",
        arguments: [
            Argument("channel", .code, "Only this channel's", positional: true),
            Argument("after", .integer, "The cursor of the previous page (an inbox id)"),
            .limit,
        ],
        result: ["dead_letters", "total"],
        aliases: ["intake dead"]
    ) { ctx, f in
        let channel = try f.code("channel")
        let after = try f.int("after", min: 0)
        let limit = try f.int("limit", min: 1, max: 1_000) ?? 50
        try f.finish()
        let rows = try ctx.store.deadLetters(channel: channel, afterID: after, limit: Int(limit))
        return [
            "dead_letters": .array(rows.map { .object($0.summary) }), "total": .int(try ctx.store.deadLetterCount()),
        ]
    }

    static let get = Command(
        "intake.get", .read, "Show one inbox entry with its raw payload and outcome (inbox_id)",
        arguments: [
            Argument("inbox_id", .integer, required: true, positional: true)
        ],
        result: ["inbox_id", "channel", "event_type", "event_id", "state", "received_at", "updated_at", "attempts"],
        aliases: ["intake show"]
    ) { ctx, f in
        let id = try f.requiredInt("inbox_id", min: 1)
        try f.finish()
        let entry = try requireInbox(ctx, id)
        var result = entry.summary
        result["payload"] = .string(entry.payload)
        result["outcome"] = entry.outcome
        return .object(result)
    }

    static let map = Command(
        "intake.map", .read,
        "Show the canonical events a payload maps to, applying nothing (channel or profile, payload)",
        arguments: [
            Argument("channel", .code, "Map with this channel's profile"),
            Argument("profile", .code, "Map with this profile (default: the channel's)"),
            Argument("payload", .json, required: true, positional: true),
        ]
    ) { ctx, f in
        let channelCode = try f.code("channel")
        let profileName = try f.code("profile")
        guard let payload = f.value("payload") else {
            throw OrderCoreError.invalid("payload is required", field: "payload")
        }
        try f.finish()
        guard let name = try profileName ?? channelCode.map({ try ctx.requireChannel($0).profileName }) else {
            throw OrderCoreError.invalid("name a channel or a profile", field: "profile")
        }
        let currency = try ctx.stringSetting(.defaultCurrency)
        let events = try ProfileMapper(profile: try ctx.requireProfile(name), defaultCurrency: currency).map(
            payload, arguments: [:])
        return [
            "profile": .string(name),
            "events": .array(
                events.map { e in
                    var out: JSONObject = [
                        "type": .string(e.type.rawValue), "external_id": .string(e.externalID),
                        "fields": .object(e.fields),
                        "channel_status": .optional(e.reportedStatus), "state": .optional(e.state?.rawValue),
                    ]
                    if let draft = e.type == .order
                        ? try? OrderDraft(Fields(e.fields), at: ctx.at, defaultCurrency: currency) : nil
                    {
                        out["warnings"] = .array(IntakeChecks.warnings(e, draft: draft))
                    }
                    if let updatedAt = e.updatedAt { out["updated_at"] = .string(Timestamp.format(updatedAt)) }
                    if e.test { out["test"] = true }
                    if e.paymentVoided { out["payment_voided"] = true }
                    if e.paymentAuthorized { out["payment_authorized"] = true }
                    if !e.notStock.isEmpty { out["not_stock"] = .array(e.notStock) }
                    if let reason = e.reason { out["reason"] = .string(reason) }
                    return .object(out)
                }),
        ]
    }

    static let profileSet = Command(
        "intake.profile_set", .write,
        "Store a channel profile (profile = the definition; docs/channels.md); it replaces a builtin of the same name",
        role: .admin,
        arguments: [
            Argument("profile", .object, "The profile's definition (docs/channels.md)", required: true)
        ],
        result: ["profile", "events"]
    ) { ctx, f in
        guard let definition = f.value("profile") else {
            throw OrderCoreError.invalid("profile is required: the profile's definition", field: "profile")
        }
        try f.finish()
        let profile = try ChannelProfile(definition)
        try ctx.store.saveProfile(profile.name, definition: definition, at: ctx.at)
        return ["profile": .string(profile.name), "events": .array(profile.events.map { .string($0.type.rawValue) })]
    }

    static let profileGet = Command(
        "intake.profile_get", .read, "Show a channel profile's definition (profile)",
        arguments: [
            Argument("profile", .code, required: true, positional: true)
        ],
        result: ["profile", "format", "group_by", "description", "events"]
    ) { ctx, f in
        let name = try f.requiredCode("profile")
        try f.finish()
        return try ctx.requireProfile(name, field: "profile").definition
    }

    static let profiles = Command(
        "intake.profiles", .read, "List channel profiles, builtin and stored",
        arguments: [],
        result: ["profiles"]
    ) { ctx, f in
        try f.finish()
        let stored = Set(try ctx.store.storedProfileNames())
        return [
            "profiles": .array(
                Set(BuiltinProfiles.all.keys).union(stored).sorted().map { name in
                    let profile = try? ctx.profile(name)
                    return [
                        "profile": .string(name), "source": .string(stored.contains(name) ? "stored" : "builtin"),
                        "format": .optional(profile?.format.rawValue), "description": .optional(profile?.description),
                    ]
                })
        ]
    }
}
