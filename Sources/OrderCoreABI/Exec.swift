import OrderCore
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("oc_exec")
public func oc_exec(_ db: OpaquePointer?, _ request: UnsafePointer<CChar>?,
                    _ responseOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    responseOut?.pointee = nil
    guard let handle = Handle.from(db) else { return misuseCode }
    guard let request else { return handle.finish(OrderCoreError(.misuse, "request_json is NULL")) }
    guard let engine = handle.engine else {
        return handle.finish(OrderCoreError(.misuse, "the database handle did not open; see the error oc_open returned"))
    }
    let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(request).assumingMemoryBound(to: UInt8.self), count: strlen(request))
    let (code, response) = engine.execute(bytes)
    responseOut?.pointee = cString(response)
    let message = code.flatMap { _ in try? JSONParser.parse(response)["error"]?["message"]?.stringValue }
    return handle.finish(code.map { OrderCoreError($0, message ?? $0.summary) })
}
