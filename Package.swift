// swift-tools-version:6.0
import PackageDescription

/// Link flags that make `libordercore.so` a well-behaved C library: only the `oc_*` symbols of
/// `Include/ordercore.h` are exported (version script), the soname carries the ABI major version,
/// and `-z defs` turns any unresolved symbol into a build error instead of a load-time failure.
let abiLinkerFlags: [String] = [
    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/OrderCoreABI/exports.map",
    "-Xlinker", "-soname=libordercore.so.0",
    "-Xlinker", "-z", "-Xlinker", "defs",
]

let package = Package(
    name: "OrderCore",
    products: [
        .library(name: "OrderCoreABI", type: .dynamic, targets: ["OrderCoreABI"]),
        .executable(name: "ordercore", targets: ["ordercore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]),
        .target(name: "CSQLiteVFS", dependencies: ["CSQLite"]),
        .target(name: "OrderCore", dependencies: ["CSQLite", "CSQLiteVFS", "CLibPQ"]),
        .target(
            name: "OrderCoreABI", dependencies: ["OrderCore"], exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags(abiLinkerFlags)]),
        .target(name: "OrderCoreShell", dependencies: ["OrderCore", "CEditLine"]),
        .executableTarget(name: "ordercore", dependencies: ["OrderCoreShell"]),
        .testTarget(name: "OrderCoreTests", dependencies: ["OrderCore", "OrderCoreShell"]),
    ]
)
