/// An IP address as the risk rules and the lists compare it: an IPv4 address as itself (also when written
/// inside IPv6, `::ffff:203.0.113.7`), an IPv6 address by its /64 network — the part a provider gives one
/// subscriber, inside which a device picks a new address every day or so (privacy addresses): one buyer's
/// orders from `2001:db8:1:2::a` and `2001:db8:1:2:8f3e::9` come from one place. The order keeps the address
/// as it was given.
enum IPAddress {
    /// `2001:db8:1:2::/64` for an IPv6 address, the dotted address for IPv4; other text in lower case (nil
    /// when empty).
    static func key(_ raw: String) -> String? {
        let trimmed = raw.trimmed
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E }) { return trimmed }
        var text = Substring(trimmed.lowercased())
        if text.hasPrefix("["), let end = text.firstIndex(of: "]") {  // [2001:db8::1]:443
            text = text[text.index(after: text.startIndex)..<end]
        }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        guard !text.isEmpty else { return nil }
        guard text.contains(":"), let groups = ipv6(text) else { return String(text) }
        if groups[0..<5].allSatisfy({ $0 == 0 }), groups[5] == 0xFFFF {  // IPv4 written as IPv6
            return [groups[6] >> 8, groups[6] & 0xFF, groups[7] >> 8, groups[7] & 0xFF].map(String.init)
                .joined(separator: ".")
        }
        return groups[0..<4].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// The eight 16-bit groups of an IPv6 address (`::` and a dotted IPv4 tail allowed); nil if it is not one.
    private static func ipv6(_ text: Substring) -> [UInt16]? {
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, piece) in pieces.enumerated() {
                if i == pieces.count - 1, piece.contains(".") {
                    let octets = piece.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
                    guard octets.count == 4 else { return nil }
                    result += [UInt16(octets[0]) << 8 | UInt16(octets[1]), UInt16(octets[2]) << 8 | UInt16(octets[3])]
                } else {
                    guard (1...4).contains(piece.count), let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        guard halves.count == 2 else { return head.count == 8 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}
