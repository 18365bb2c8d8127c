/// An e-mail address as the risk rules, the allow and block lists, searches and the customers' records
/// compare it: one mailbox however it is written. The order keeps the address as it was given.
enum Email {
    /// The address in lower case, without the `+tag` of plus-addressing (`bob+shop7@x.com` is `bob@x.com`:
    /// Gmail, Outlook, iCloud and most others deliver it to one mailbox) and, at Gmail, without the dots
    /// Gmail ignores (`b.o.b@googlemail.com` is `bob@gmail.com`). Text without a local part and a domain is
    /// compared as written (in lower case); nil when empty.
    static func key(_ raw: String) -> String? {
        let text = raw.trimmed.lowercased()
        guard let at = text.lastIndex(of: "@"), at != text.startIndex, text.index(after: at) != text.endIndex else {
            return text.isEmpty ? nil : text
        }
        var local = text[..<at]
        var domain = text[text.index(after: at)...]
        if let plus = local.firstIndex(of: "+"), plus != local.startIndex { local = local[..<plus] }
        if domain == "gmail.com" || domain == "googlemail.com" {
            local = Substring(local.filter { $0 != "." })
            domain = "gmail.com"
        }
        return local.isEmpty ? text : local + "@" + domain
    }
}
