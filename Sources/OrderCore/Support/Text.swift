extension String {
    /// The string padded with spaces to `width` characters (never cut): aligned columns in plain text.
    public func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
