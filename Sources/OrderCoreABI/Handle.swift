import OrderCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What an `oc_db *` points to: the engine (nil when opening failed) and, per thread, the message of
/// the last failed call. Messages are C strings owned here, valid until the next call on the same
/// handle in the same thread, freed on close.
final class Handle: Sendable {
    let engine: Engine?
    /// Addresses of malloc'd messages by thread (stored as integers so the map is Sendable).
    private let messages = Mutex<[pthread_t: Int]>([:])

    init(engine: Engine?) { self.engine = engine }

    deinit {
        messages.withLock { for address in $0.values { free(UnsafeMutableRawPointer(bitPattern: address)) } }
    }

    /// Remembers the outcome of a call for `oc_errmsg` and returns its C code.
    func finish(_ error: OrderCoreError?) -> Int32 {
        let copy = error.flatMap { strdup($0.message) }.map { Int(bitPattern: $0) }
        let old = messages.withLock { $0.updateValue(copy ?? 0, forKey: pthread_self()) }
        free(old.flatMap { UnsafeMutableRawPointer(bitPattern: $0) })
        return error?.code.number ?? 0
    }

    func lastMessage() -> UnsafePointer<CChar>? {
        messages.withLock { $0[pthread_self()] }.flatMap { UnsafePointer(bitPattern: $0) }
    }

    static func from(_ db: OpaquePointer?) -> Handle? {
        db.map { Unmanaged<Handle>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

let misuseCode = ErrorCode.misuse.number

/// Reads a C string argument: nil stays nil, invalid UTF-8 is an `invalid_input` error naming `name`.
func argument(_ p: UnsafePointer<CChar>?, _ name: String) throws(OrderCoreError) -> String? {
    guard let p else { return nil }
    guard let s = String(validatingCString: p) else {
        throw OrderCoreError(.invalidInput, "\(name) is not valid UTF-8")
    }
    return s
}

/// Reads a required C string argument; NULL is `misuse`.
func required(_ p: UnsafePointer<CChar>?, _ name: String) throws(OrderCoreError) -> String {
    guard let s = try argument(p, name) else { throw OrderCoreError(.misuse, "\(name) is NULL") }
    return s
}

/// Runs a typed function's body against an open handle, recording its outcome.
func withEngine(_ db: OpaquePointer?, _ body: (Engine) throws(OrderCoreError) -> Void) -> Int32 {
    guard let handle = Handle.from(db) else { return misuseCode }
    guard let engine = handle.engine else {
        return handle.finish(
            OrderCoreError(.misuse, "the database handle did not open; see the error oc_open returned"))
    }
    do {
        try body(engine)
        return handle.finish(nil)
    } catch {
        return handle.finish(error)
    }
}

/// A malloc'd copy of `s` that the caller releases with `oc_free`.
func cString(_ s: String) -> UnsafeMutablePointer<CChar>? { strdup(s) }

@_cdecl("oc_open")
public func oc_open(_ path: UnsafePointer<CChar>?, _ dbOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    oc_open_v2(path, dbOut, 0)
}

@_cdecl("oc_open_v2")
public func oc_open_v2(
    _ path: UnsafePointer<CChar>?, _ dbOut: UnsafeMutablePointer<OpaquePointer?>?, _ flags: UInt32
) -> Int32 {
    guard let dbOut else { return misuseCode }
    var engine: Engine?
    var failure: OrderCoreError?
    do {
        let path = try required(path, "path")
        let options = StoreOptions(synchronous: flags & 0x1 != 0 ? .normal : .full)
        engine = try Engine(path: path, options: options)
    } catch {
        failure = error
    }
    let handle = Handle(engine: engine)
    dbOut.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
    return handle.finish(failure)
}

@_cdecl("oc_close")
public func oc_close(_ db: OpaquePointer?) -> Int32 {
    guard let db else { return 0 }
    let handle = Unmanaged<Handle>.fromOpaque(UnsafeRawPointer(db))
    handle.takeUnretainedValue().engine?.close()
    handle.release()
    return 0
}

@_cdecl("oc_free")
public func oc_free(_ p: UnsafeMutableRawPointer?) { free(p) }

@_cdecl("oc_errmsg")
public func oc_errmsg(_ db: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let handle = Handle.from(db) else { return staticString("no database handle (NULL)") }
    return handle.lastMessage() ?? staticString("not an error")
}

@_cdecl("oc_errstr")
public func oc_errstr(_ code: Int32) -> UnsafePointer<CChar>? {
    if code == 0 { return staticString("not an error") }
    return staticString(ErrorCode(number: code)?.summary ?? "unknown error code")
}

@_cdecl("oc_version")
public func oc_version() -> UnsafePointer<CChar>? { staticString(Version.string) }

@_cdecl("oc_version_number")
public func oc_version_number() -> Int32 { Version.number }

// MARK: - Static strings

/// C copies of the fixed texts, made once and never freed, so callers may keep the pointers.
/// `nonisolated(unsafe)`: immutable after its one-time initialisation.
nonisolated(unsafe) private let fixedTexts: [String: UnsafePointer<CChar>] = {
    let texts =
        ["no database handle (NULL)", "not an error", "unknown error code", Version.string]
        + ErrorCode.allCases.map(\.summary)
    return Dictionary(
        texts.compactMap { s in strdup(s).map { (s, UnsafePointer($0)) } }, uniquingKeysWith: { a, _ in a })
}()

private func staticString(_ s: String) -> UnsafePointer<CChar>? { fixedTexts[s] }
