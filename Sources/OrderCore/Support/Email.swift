/// An e-mail address as the risk rules, the allow and block lists, searches and the customers' records
/// compare it: one mailbox however it is written. The order keeps the address as it was given.
enum Email {
    /// The address in lower case, without the `+tag` of plus-addressing (`bob+shop7@x.com` is `bob@x.com`:
    /// Gmail, Outlook, iCloud and most others deliver it to one mailbox) and, at Gmail, without the dots
    /// Gmail ignores (`b.o.b@googlemail.com` is `bob@gmail.com`). Text without a local part and a domain is
    /// compared as written (in lower case); nil when empty.
    static func key(_ raw: String) -> String? {
        let trimmed = raw.trimmed
        // Its bytes in lower case: `@`, `+` and `.` are ASCII, never part of another character's UTF-8 bytes.
        let text =
            trimmed.utf8.allSatisfy { $0 < 0x80 }
            ? trimmed.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } : Array(trimmed.lowercased().utf8)
        guard let at = text.lastIndex(of: 0x40), at > 0, at < text.count - 1 else {  // @
            return text.isEmpty ? nil : String(decoding: text, as: UTF8.self)
        }
        var local = text[..<at]
        var domain = text[(at + 1)...]
        if let plus = local.firstIndex(of: 0x2B), plus > 0 { local = local[..<plus] }  // +
        if domain.elementsEqual("gmail.com".utf8) || domain.elementsEqual("googlemail.com".utf8) {
            local = ArraySlice(local.filter { $0 != 0x2E })  // .
            domain = ArraySlice("gmail.com".utf8)
        }
        return String(decoding: local.isEmpty ? ArraySlice(text) : local + [0x40] + domain, as: UTF8.self)
    }
}
