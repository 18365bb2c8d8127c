import OrderCore

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("oc_events_read")
public func oc_events_read(
    _ db: OpaquePointer?, _ consumer: UnsafePointer<CChar>?, _ after: Int64, _ limit: Int32,
    _ eventsOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ nextOut: UnsafeMutablePointer<Int64>?
) -> Int32 {
    eventsOut?.pointee = nil
    return withEngine(db) { (engine) throws(OrderCoreError) in
        guard let eventsOut else { throw OrderCoreError(.misuse, "events_json_out is NULL") }
        var args: JSONObject = ["limit": .int(Int64(limit))]
        if let consumer = try argument(consumer, "consumer") { args["consumer"] = .string(consumer) }
        if after >= 0 { args["after"] = .int(after) }
        guard consumer != nil || after >= 0 else {
            throw OrderCoreError(.misuse, "give a consumer, or a cursor after >= 0")
        }
        let result = try engine.run("events.read", args).get()
        eventsOut.pointee = cString((result["events"] ?? .array([])).serialized)
        nextOut?.pointee = result["next"]?.intValue ?? 0
    }
}

@_cdecl("oc_events_ack")
public func oc_events_ack(_ db: OpaquePointer?, _ consumer: UnsafePointer<CChar>?, _ cursor: Int64) -> Int32 {
    withEngine(db) { (engine) throws(OrderCoreError) in
        _ = try engine.run(
            "events.ack", ["consumer": .string(try required(consumer, "consumer")), "cursor": .int(cursor)], brief: true
        ).get()
    }
}
