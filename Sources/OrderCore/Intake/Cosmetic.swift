/// A channel order is never lost for a cosmetic field (docs/channels.md): free text too long for
/// OrderCore's limits is cut, characters text may not hold are replaced, tags and discount codes that
/// are not valid codes are cleaned or dropped — each change a warning on the order. The raw event in
/// the inbox keeps everything as it came.
enum Cosmetic {
    /// Tidies an order event's document in place.
    static func tidy(_ event: inout MappedEvent) {
        var warnings: [JSON] = []
        func text(_ value: JSON?, limit: Int, field: @autoclosure () -> String) -> JSON? {
            guard case .string(let s)? = value else { return value }
            guard let cleaned = Cosmetic.text(s, limit: limit) else { return value }
            let field = field()
            warnings.append([
                "code": "text_shortened", "field": .string(field),
                "message": .string(
                    "\(field) was \(s.count) characters (\(s.utf8.count) bytes); kept the first \(cleaned.count), "
                        + "without control characters (the raw event has all of it)"
                ),
            ])
            return .string(cleaned)
        }
        var doc = event.fields
        doc["note"] = text(doc["note"], limit: OrderDraft.noteLimit, field: "note")
        let members = [
            ("customer", OrderDraft.customerFieldLimit), ("ship_to", OrderDraft.addressFieldLimit),
            ("payment_terms", PaymentTerms.nameLimit),
        ]
        for (member, limit) in members {
            guard case .object(var object)? = doc[member] else { continue }
            for key in object.keys { object[key] = text(object[key], limit: limit, field: "\(member).\(key)") }
            doc[member] = .object(object)
        }
        if case .array(let fees)? = doc["fees"] {
            doc["fees"] = .array(
                fees.enumerated().map { i, fee in
                    guard case .object(var f) = fee else { return fee }
                    f["name"] = text(f["name"], limit: OrderDraft.feeNameLimit, field: "fees[\(i)].name")
                    return .object(f)
                })
        }
        if case .array(let lines)? = doc["lines"] {
            doc["lines"] = .array(
                lines.enumerated().map { i, line in
                    guard case .object(var l) = line else { return line }
                    l["name"] = text(l["name"], limit: OrderDraft.lineNameLimit, field: "lines[\(i)].name")
                    return .object(l)
                })
        }
        if case .array(let tags)? = doc["tags"] {
            var kept: [JSON] = []
            for tag in tags {
                guard case .string(let s) = tag else { continue }
                guard let code = Cosmetic.code(s), kept.count < OrderDraft.maxTags else {
                    warnings.append([
                        "code": "tag_dropped",
                        "message": .string(
                            "tag '\(String(s.prefix(40)))' was dropped (not a valid code, or past "
                                + "\(OrderDraft.maxTags) tags)"
                        ),
                    ])
                    continue
                }
                if !kept.contains(.string(code)) { kept.append(.string(code)) }
            }
            doc["tags"] = .array(kept)
        }
        // A code that is not a valid one (a discount code with a stray character, a carrier a merchant typed at
        // length) is cleaned, or left out.
        func cleanCode(_ object: inout JSONObject, _ key: String, warning: JSON, name: @autoclosure () -> String) {
            guard case .string(let raw)? = object[key], (try? Fields.normalizedCode(raw, field: key)) == nil else {
                return
            }
            object[key] = Cosmetic.code(raw).map(JSON.string) ?? .null
            warnings.append([
                "code": warning,
                "message": .string(
                    "\(name()) '\(String(raw.prefix(40)))' is not a valid code; kept as "
                        + (object[key]?.stringValue ?? "none")
                ),
            ])
        }
        if case .array(let discounts)? = doc["discounts"] {
            doc["discounts"] = .array(
                discounts.map { d in
                    guard case .object(var o) = d else { return d }
                    cleanCode(&o, "code", warning: "discount_code_cleaned", name: "discount code")
                    return .object(o)
                })
        }
        if case .object(var shipment)? = doc["shipment"] {
            func tidyCodes(_ object: inout JSONObject, field: String) {
                for key in ["carrier", "tracking_no", "parcel_ref", "subtag"] {
                    cleanCode(&object, key, warning: "shipment_code_cleaned", name: "\(field).\(key)")
                }
            }
            tidyCodes(&shipment, field: "shipment")
            if case .array(let parcels)? = shipment["parcels"] {
                shipment["parcels"] = .array(
                    parcels.enumerated().map { i, parcel in
                        guard case .object(var p) = parcel else { return parcel }
                        tidyCodes(&p, field: "shipment.parcels[\(i)]")
                        return .object(p)
                    })
            }
            doc["shipment"] = .object(shipment)
        }
        event.fields = doc
        event.warnings += warnings
    }

    /// `s` without control characters (newline and tab stay) and within `limit` characters and
    /// `4 × limit` bytes; nil when it is already fine.
    static func text(_ s: String, limit: Int) -> String? {
        // The common case, with no Unicode lookups.
        if s.utf8.count <= limit, Fields.isPrintableASCII(s, allowing: [0x0A, 0x09]) { return nil }
        let control = s.unicodeScalars.contains { $0.isControl && $0 != "\n" && $0 != "\t" }
        guard control || s.count > limit || s.utf8.count > 4 * limit else { return nil }
        var scalars = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            scalars.append(scalar.isControl && scalar != "\n" && scalar != "\t" ? " " : scalar)
        }
        var result = ""
        var bytes = 0
        for character in String(scalars) {
            let size = character.utf8.count
            guard result.count < limit, bytes + size <= 4 * limit else { break }
            result.append(character)
            bytes += size
        }
        return result
    }

    /// `s` as a valid code: as it is, or with the characters a code may not hold removed, white space
    /// folded and cut to the code limits; nil when nothing is left.
    static func code(_ s: String) -> String? {
        if let code = try? Fields.normalizedCode(s, field: "code") { return code }
        var scalars = String.UnicodeScalarView()
        for scalar in String(decoding: s._nfcCodeUnits, as: UTF8.self).unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .privateUse, .surrogate, .unassigned: continue
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        var cleaned = String(scalars).split(separator: " ").joined(separator: " ")
        while let first = cleaned.unicodeScalars.first, first.properties.generalCategory == .nonspacingMark {
            cleaned.unicodeScalars.removeFirst()
        }
        var cut = ""
        for character in cleaned {
            guard cut.count < Fields.maxCodeCharacters, cut.utf8.count + character.utf8.count <= Fields.maxCodeBytes
            else { break }
            cut.append(character)
        }
        return try? Fields.normalizedCode(cut.trimmed, field: "code")
    }
}
