import OrderCore

@_cdecl("oc_order_create")
public func oc_order_create(
    _ db: OpaquePointer?, _ channel: UnsafePointer<CChar>?, _ externalID: UnsafePointer<CChar>?, _ lineCount: UInt,
    _ skus: UnsafePointer<UnsafePointer<CChar>?>?, _ qtys: UnsafePointer<Int64>?,
    _ unitPrices: UnsafePointer<UnsafePointer<CChar>?>?, _ paymentRef: UnsafePointer<CChar>?, _ flags: UInt32,
    _ orderIDOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    orderIDOut?.pointee = nil
    return withEngine(db) { (engine) throws(OrderCoreError) in
        guard (1...UInt(Engine.maxOrderLines)).contains(lineCount) else {
            throw OrderCoreError(
                .invalidInput, "line_count is \(lineCount); an order has 1 to \(Engine.maxOrderLines) lines")
        }
        guard let skus, let qtys, let unitPrices else {
            throw OrderCoreError(.misuse, "skus, qtys and unit_prices must not be NULL")
        }
        guard flags & ~UInt32(3) == 0 else { throw OrderCoreError(.invalidInput, "unknown flags \(flags)") }
        var lines: [JSON] = []
        for i in 0..<Int(lineCount) {
            lines.append([
                "sku": .string(try required(skus[i], "skus[\(i)]")), "qty": .int(qtys[i]),
                "unit_price": .string(try required(unitPrices[i], "unit_prices[\(i)]")),
            ])
        }
        var args: JSONObject = ["lines": .array(lines)]
        if let channel = try argument(channel, "channel") { args["channel"] = .string(channel) }
        if let externalID = try argument(externalID, "external_id") { args["external_id"] = .string(externalID) }
        if flags & 2 != 0 { args["cash_on_delivery"] = true }
        let paymentRef = try argument(paymentRef, "payment_ref")
        if flags & 1 != 0 {
            args["payment"] = .object(paymentRef.map { ["payment_ref": .string($0)] } ?? [:])
        } else if paymentRef != nil {
            throw OrderCoreError(.invalidInput, "payment_ref is for an order that arrives paid (OC_ORDER_PAID)")
        }
        let created = try engine.run("order.create", args, brief: true).get()
        orderIDOut?.pointee = cString(created["order_id"]?.stringValue ?? "")
    }
}

@_cdecl("oc_order_pay")
public func oc_order_pay(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ amount: UnsafePointer<CChar>?,
    _ paymentRef: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        var args: JSONObject = ["order_id": .string(try required(orderID, "order_id"))]
        if let amount = try argument(amount, "amount") { args["amount"] = .string(amount) }
        if let paymentRef = try argument(paymentRef, "payment_ref") { args["payment_ref"] = .string(paymentRef) }
        _ = try engine.run("order.pay", args, brief: true).get()
    }
}

@_cdecl("oc_order_allocate")
public func oc_order_allocate(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?,
    _ decisionOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    decisionOut?.pointee = nil
    return withEngine(db) { (engine) throws(OrderCoreError) in
        let result = try engine.run("order.allocate", ["order_id": .string(try required(orderID, "order_id"))]).get()
        decisionOut?.pointee = cString(result["allocation"]?["decision"]?.stringValue ?? "")
    }
}

@_cdecl("oc_order_hold")
public func oc_order_hold(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        let args: JSONObject = [
            "order_id": .string(try required(orderID, "order_id")), "reason": .string(try required(reason, "reason")),
        ]
        _ = try engine.run("order.hold", args, brief: true).get()
    }
}

@_cdecl("oc_order_release")
public func oc_order_release(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        var args: JSONObject = ["order_id": .string(try required(orderID, "order_id"))]
        if let reason = try argument(reason, "reason") { args["reason"] = .string(reason) }
        _ = try engine.run("order.release", args, brief: true).get()
    }
}

@_cdecl("oc_order_ship")
public func oc_order_ship(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ carrier: UnsafePointer<CChar>?,
    _ trackingNo: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        let args: JSONObject = [
            "order_id": .string(try required(orderID, "order_id")),
            "carrier": .string(try required(carrier, "carrier")),
            "tracking_no": .string(try required(trackingNo, "tracking_no")),
        ]
        _ = try engine.run("order.ship", args, brief: true).get()
    }
}

@_cdecl("oc_order_deliver")
public func oc_order_deliver(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ trackingNo: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        var args: JSONObject = ["order_id": .string(try required(orderID, "order_id"))]
        if let trackingNo = try argument(trackingNo, "tracking_no") { args["tracking_no"] = .string(trackingNo) }
        _ = try engine.run("order.deliver", args, brief: true).get()
    }
}

@_cdecl("oc_order_pickup")
public func oc_order_pickup(_ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        _ = try engine.run("order.pickup", ["order_id": .string(try required(orderID, "order_id"))], brief: true).get()
    }
}

@_cdecl("oc_order_cancel")
public func oc_order_cancel(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?, _ reason: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        var args: JSONObject = ["order_id": .string(try required(orderID, "order_id"))]
        if let reason = try argument(reason, "reason") { args["reason"] = .string(reason) }
        _ = try engine.run("order.cancel", args, brief: true).get()
    }
}

@_cdecl("oc_order_state")
public func oc_order_state(
    _ db: OpaquePointer?, _ orderID: UnsafePointer<CChar>?,
    _ stateOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    stateOut?.pointee = nil
    return withEngine(db) { (engine) throws(OrderCoreError) in
        guard let stateOut else { throw OrderCoreError(.misuse, "state_out is NULL") }
        let args: JSONObject = ["order_id": .string(try required(orderID, "order_id"))]
        let state = try engine.run("order.get", args, brief: true).get()["state"]?.stringValue ?? ""
        stateOut.pointee = cString(state)
    }
}

@_cdecl("oc_sweep")
public func oc_sweep(_ db: OpaquePointer?, _ expiredOut: UnsafeMutablePointer<Int64>?) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        let result = try engine.run("sweep", [:], brief: true).get()
        expiredOut?.pointee = result["expired_orders"]?.intValue ?? 0
    }
}
