/// A buyer's identifiers as an order's row, the risk counts and the look-ups of a buyer's returns and chargebacks
/// hold them (`Identifier.key`): worked out once for an order being created.
struct CustomerKeys {
    var id, phone, email, device, ip: String?

    init(_ customer: [String: String]) {
        id = customer["id"]
        phone = customer["phone"].flatMap(Phone.key)
        email = customer["email"].flatMap(Email.key)
        device = customer["device_id"]
        ip = customer["ip"].flatMap(IPAddress.key)
    }
}

/// The identifiers of a buyer and an address that the allow and block lists name and the risk rules count
/// orders by, and how each is compared.
enum Identifier {
    /// The kinds the allow and block lists can name.
    static let kinds = ["phone", "email", "device", "ip", "customer", "address"]

    /// An identifier as the lists and the risk counts compare it: a phone, an e-mail and an IP by their keys
    /// (`Phone.key`, `Email.key`, `IPAddress.key`), an address line in lower case; nil when it names no one
    /// (a phone masked, or of fewer than five digits).
    static func key(_ kind: String, _ value: String) -> String? {
        switch kind {
        case "phone": Phone.key(value)
        case "email": Email.key(value)
        case "ip": IPAddress.key(value)
        case "address": value.lowercased()
        default: value
        }
    }
}
