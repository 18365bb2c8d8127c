import OrderCore

@_cdecl("oc_stock_receive")
public func oc_stock_receive(
    _ db: OpaquePointer?, _ sku: UnsafePointer<CChar>?, _ warehouse: UnsafePointer<CChar>?, _ qty: Int64
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        let args: JSONObject = [
            "sku": .string(try required(sku, "sku")), "warehouse": .string(try required(warehouse, "warehouse")),
            "qty": .int(qty),
        ]
        _ = try engine.run("stock.receive", args, brief: true).get()
    }
}

@_cdecl("oc_stock_adjust")
public func oc_stock_adjust(
    _ db: OpaquePointer?, _ sku: UnsafePointer<CChar>?, _ warehouse: UnsafePointer<CChar>?, _ qty: Int64,
    _ reason: UnsafePointer<CChar>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        let args: JSONObject = [
            "sku": .string(try required(sku, "sku")), "warehouse": .string(try required(warehouse, "warehouse")),
            "qty": .int(qty), "reason": .string(try required(reason, "reason")),
        ]
        _ = try engine.run("stock.adjust", args, brief: true).get()
    }
}

@_cdecl("oc_stock_available")
public func oc_stock_available(
    _ db: OpaquePointer?, _ sku: UnsafePointer<CChar>?, _ warehouse: UnsafePointer<CChar>?,
    _ availableOut: UnsafeMutablePointer<Int64>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        guard let availableOut else { throw OrderCoreError(.misuse, "available_out is NULL") }
        var args: JSONObject = ["sku": .string(try required(sku, "sku"))]
        if let warehouse = try argument(warehouse, "warehouse") { args["warehouse"] = .string(warehouse) }
        availableOut.pointee = try engine.run("stock.get", args, brief: true).get()["available"]?.intValue ?? 0
    }
}

@_cdecl("oc_stock_sellable")
public func oc_stock_sellable(
    _ db: OpaquePointer?, _ sku: UnsafePointer<CChar>?, _ channel: UnsafePointer<CChar>?,
    _ sellableOut: UnsafeMutablePointer<Int64>?
) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        guard let sellableOut else { throw OrderCoreError(.misuse, "sellable_out is NULL") }
        let args: JSONObject = [
            "sku": .string(try required(sku, "sku")), "channel": .string(try required(channel, "channel")),
        ]
        sellableOut.pointee =
            try engine.run("stock.get", args, brief: true).get()["channel"]?["sellable"]?.intValue ?? 0
    }
}
