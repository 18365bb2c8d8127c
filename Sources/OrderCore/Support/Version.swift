/// The library version; `Include/ordercore.h` carries the same numbers as `OC_VERSION*`.
public enum Version {
    public static let string = "0.1.0"
    public static let number: Int32 = 1_000  // major * 1_000_000 + minor * 1_000 + patch
}
