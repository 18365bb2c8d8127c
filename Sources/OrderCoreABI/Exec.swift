import OrderCore

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("oc_exec")
public func oc_exec(
    _ db: OpaquePointer?, _ request: UnsafePointer<CChar>?,
    _ responseOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    runJSON(db, request, "request_json", responseOut) { $0.execute($1, brief: responseOut == nil) }
}

@_cdecl("oc_exec_batch")
public func oc_exec_batch(
    _ db: OpaquePointer?, _ requests: UnsafePointer<CChar>?, _ flags: UInt32,
    _ responseOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    runJSON(db, requests, "requests_json", responseOut) { $0.executeBatch($1, atomic: flags & 1 == 0) }
}

/// The shape of `oc_exec` and `oc_exec_batch`: JSON text in, a JSON envelope out (on failure too).
private func runJSON(
    _ db: OpaquePointer?, _ request: UnsafePointer<CChar>?, _ name: String,
    _ responseOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ body: (Engine, UnsafeBufferPointer<UInt8>) -> (code: ErrorCode?, response: String)
) -> Int32 {
    responseOut?.pointee = nil
    guard let handle = Handle.from(db) else { return misuseCode }
    guard let request else { return handle.finish(OrderCoreError(.misuse, "\(name) is NULL")) }
    guard let engine = handle.engine else {
        return handle.finish(
            OrderCoreError(.misuse, "the database handle did not open; see the error oc_open returned"))
    }
    let bytes = UnsafeBufferPointer(
        start: UnsafeRawPointer(request).assumingMemoryBound(to: UInt8.self), count: strlen(request))
    let (code, response) = body(engine, bytes)
    responseOut?.pointee = cString(response)
    let message = code.flatMap { _ in try? JSONParser.parse(response)["error"]?["message"]?.stringValue }
    return handle.finish(code.map { OrderCoreError($0, message ?? $0.summary) })
}
