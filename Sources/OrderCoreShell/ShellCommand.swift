import OrderCore

/// One readable shell command mapped onto one bus op. The table (`ShellCommand.all`) drives parsing,
/// `help`, `help COMMAND` and tab completion, so they can never disagree.
public struct ShellCommand: Sendable {
    /// How a word becomes a JSON argument.
    public enum Kind: Sendable {
        case code(CodeKind?)   // an identifier; completed from the database when a kind is given
        case int
        case money
        case bool
        case auto              // true/false, an integer, a JSON object or array if it is one, else a string
        case list              // comma-separated codes: SH,BJ
        case intOrNone         // an integer, or "none" for null
        case intMap            // KEY:N,KEY:N -> {"KEY": N, ...}
        case text              // the rest of the line, joined with spaces
    }

    public struct Param: Sendable {
        public let name: String
        public let field: String
        public let kind: Kind
        public let optional: Bool
    }

    public let words: [String]
    public let op: String
    public let params: [Param]
    /// `key=value` arguments accepted after the positionals, with the argument name they fill.
    public let options: [(key: String, field: String, kind: Kind)]
    public let summary: String
    /// `SKU:QTY` (or `SKU:QTY@PRICE`) words after the positionals, collected into a list argument.
    public let lines: Lines?
    /// Another op run with the same arguments, whose `field` is added to the result under `as`.
    public let also: (op: String, field: String, as: String)?
    /// The one member a table shows, when the rest repeats it for older scripts (`report alerts`).
    public let shows: String?

    public struct Lines: Sendable {
        public let field: String
        public let price: Bool
        public let required: Bool
        var syntax: String { price ? "SKU:QTY@PRICE..." : required ? "SKU:QTY..." : "[SKU:QTY...]" }
    }

    public var name: String { words.joined(separator: " ") }

    /// The help line: `order pay ORDER [AMOUNT] [options]`; `help COMMAND` lists the options.
    public var usage: String {
        var parts = [name]
        for p in params { parts.append(p.optional ? "[\(p.name)]" : p.name) }
        if let lines { parts.append(lines.syntax) }
        if !options.isEmpty { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// `key=VALUE` forms of the options, for `help COMMAND`.
    public var optionUsage: [String] { options.map { "\($0.key)=\($0.key.uppercased())" } }

    init(_ words: String, _ op: String, _ params: [Param] = [], lines: Lines? = nil, options: [(String, String, Kind)] = [],
         also: (op: String, field: String, as: String)? = nil, shows: String? = nil, _ summary: String) {
        self.words = words.split(separator: " ").map(String.init)
        self.shows = shows
        self.op = op
        self.params = params
        self.lines = lines
        self.also = also
        self.options = options.map { (key: $0.0, field: $0.1, kind: $0.2) }
        self.summary = summary
    }

    /// Turns the words after the command name into bus arguments.
    func arguments(_ args: [String]) throws(ShellError) -> JSONObject {
        var result = JSONObject()
        var positional: [String] = []
        var lineItems: [JSON] = []
        for arg in args {
            if let eq = arg.firstIndex(of: "="), let option = options.first(where: { $0.key == arg[..<eq] }) {
                ShellCommand.set(&result, option.field, try ShellCommand.value(String(arg[arg.index(after: eq)...]), option.kind, name: option.key))
            } else if let eq = arg.firstIndex(of: "="), !params.contains(where: { if case .text = $0.kind { true } else { false } }),
                      arg[..<eq].allSatisfy({ $0.isLowercase || $0 == "_" }), eq != arg.startIndex {
                // `stock ledger sku=A1` would otherwise look for a SKU named "sku=A1".
                let accepted = options.isEmpty ? "it takes no options" : "options: " + optionUsage.joined(separator: " ")
                throw ShellError("unknown option '\(arg[..<eq])'; \(accepted); usage: \(usage)")
            } else if let lines, positional.count >= params.filter({ !$0.optional }).count, arg.contains(":") {
                lineItems.append(try ShellCommand.line(arg, price: lines.price, usage: usage))
            } else {
                positional.append(arg)
            }
        }
        if let lines {
            if !lineItems.isEmpty {
                result[lines.field] = .array(lineItems)
            } else if lines.required {
                throw ShellError("give at least one line (\(lines.syntax)); usage: \(usage)")
            }
        }
        for (i, param) in params.enumerated() {
            if case .text = param.kind {
                if i < positional.count { result[param.field] = .string(positional[i...].joined(separator: " ")) }
                positional = Array(positional.prefix(i))
                break
            }
            guard i < positional.count else {
                if param.optional { break }
                throw ShellError("missing \(param.name); usage: \(usage)")
            }
            result[param.field] = try ShellCommand.value(positional[i], param.kind, name: param.name)
        }
        if positional.count > params.count {
            throw ShellError("unexpected '\(positional[params.count])'; usage: \(usage)")
        }
        return result
    }

    static func value(_ word: String, _ kind: Kind, name: String) throws(ShellError) -> JSON {
        switch kind {
        case .code, .money, .text: return .string(word)
        case .int:
            guard Int64(word) != nil else { throw ShellError("\(name) must be an integer, not '\(word)'") }
            return .number(word)
        case .bool:
            switch word.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw ShellError("\(name) must be true or false, not '\(word)'")
            }
        case .auto:
            if word == "true" || word == "false" { return .bool(word == "true") }
            if Int64(word) != nil { return .number(word) }
            if word.hasPrefix("{") || word.hasPrefix("["), let value = try? JSONParser.parse(word) { return value }
            return .string(word)
        case .list: return .array(word.split(separator: ",").map { .string(String($0)) })
        case .intMap:
            var map = JSONObject()
            for pair in word.split(separator: ",") {
                let parts = pair.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, Int64(parts[1]) != nil else { throw ShellError("\(name) takes KEY:N,KEY:N, not '\(pair)'") }
                map[String(parts[0])] = .number(String(parts[1]))
            }
            return .object(map)
        case .intOrNone:
            if word == "none" { return .null }
            guard Int64(word) != nil else { throw ShellError("\(name) must be an integer or none, not '\(word)'") }
            return .number(word)
        }
    }

    // MARK: - The table

    static func p(_ name: String, _ field: String, _ kind: Kind, optional: Bool = false) -> Param {
        Param(name: name, field: field, kind: kind, optional: optional)
    }

    public static let all: [ShellCommand] = [
        ShellCommand("sku upsert", "sku.upsert", [p("SKU", "sku", .code(.sku))],
                     options: [("name", "name", .code(nil)), ("barcode", "barcode", .code(nil)), ("weight_g", "weight_g", .int),
                               ("unit_cost", "unit_cost", .money), ("cost_currency", "cost_currency", .code(nil)), ("active", "active", .bool)],
                     "Create or update a SKU"),
        ShellCommand("warehouse upsert", "warehouse.upsert", [p("WAREHOUSE", "warehouse", .code(.warehouse))],
                     options: [("name", "name", .code(nil)), ("region", "region", .code(nil)), ("priority", "priority", .int), ("active", "active", .bool),
                               ("serves", "serves", .list), ("distances", "distances", .intMap)],
                     "Create or update a warehouse (lower priority number = preferred)"),
        ShellCommand("stock receive", "stock.receive",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("QTY", "qty", .int)],
                     options: [("reference", "reference", .code(nil))], "Receive units into on-hand stock"),
        ShellCommand("stock get", "stock.get", [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse), optional: true)],
                     options: [("channel", "channel", .code(.channel))],
                     "Show on-hand, reserved and available units per warehouse (and what a channel may sell)"),
        ShellCommand("stock adjust", "stock.adjust",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("QTY", "qty", .int), p("REASON", "reason", .text)],
                     options: [("bucket", "bucket", .code(nil)), ("reference", "reference", .code(nil))],
                     "Correct a balance by a signed quantity, with the reason (rest of the line)"),
        ShellCommand("stock quarantine", "stock.quarantine",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("QTY", "qty", .int), p("NOTE", "note", .text, optional: true)],
                     "Move units out of sale into quarantine (negative QTY moves them back)"),
        ShellCommand("stock scrap", "stock.scrap",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("QTY", "qty", .int), p("NOTE", "note", .text, optional: true)],
                     options: [("bucket", "bucket", .code(nil))], "Write units off (from quarantine, or bucket=on_hand)"),
        ShellCommand("stock safety", "stock.safety",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("QTY", "qty", .int)],
                     "Set the safety stock held back from sale"),
        ShellCommand("stock ledger", "stock.ledger",
                     [p("SKU", "sku", .code(.sku), optional: true), p("WAREHOUSE", "warehouse", .code(.warehouse), optional: true)],
                     options: [("ref_type", "ref_type", .code(nil)), ("ref_id", "ref_id", .code(.order)), ("reason", "reason", .code(nil)),
                               ("from", "from", .code(nil)), ("to", "to", .code(nil)), ("limit", "limit", .int), ("after", "after", .int)],
                     "List ledger rows, oldest first"),
        ShellCommand("stock verify", "stock.verify", [], "Recompute balances from the ledger and list any difference"),
        ShellCommand("stock board", "stock.board",
                     options: [("warehouse", "warehouse", .code(.warehouse)), ("status", "status", .code(nil)), ("sort", "sort", .code(nil)),
                               ("limit", "limit", .int), ("offset", "offset", .int)],
                     "Per SKU: on hand, safety, sales, days of cover, status (warning/normal/sufficient)"),
        ShellCommand("stock alerts", "stock.alerts", options: [("open_only", "open_only", .bool), ("limit", "limit", .int)],
                     "Low-stock alerts (open ones unless open_only=false)"),
        ShellCommand("stock locate", "stock.locate",
                     [p("SKU", "sku", .code(.sku)), p("WAREHOUSE", "warehouse", .code(.warehouse)), p("LOCATION", "location", .code(nil))],
                     "Set where a SKU lies in a warehouse (pick lists walk by location)"),
        ShellCommand("stock count", "stock.count", [p("WAREHOUSE", "warehouse", .code(.warehouse))],
                     lines: Lines(field: "counts", price: false, required: true), options: [("reference", "reference", .code(nil))],
                     "Record a cycle count: book and value the variances"),
        ShellCommand("transfer create", "stock.transfer", [p("FROM", "from", .code(.warehouse)), p("TO", "to", .code(.warehouse))],
                     lines: Lines(field: "lines", price: false, required: true), options: [("reference", "reference", .code(nil))],
                     "Send available units to another warehouse (in transit until received)"),
        ShellCommand("transfer receive", "stock.transfer_receive", [p("TRANSFER", "transfer_id", .code(.transfer))],
                     lines: Lines(field: "lines", price: false, required: false),
                     "Receive a transfer, all that is in transit or the lines given"),
        ShellCommand("transfer get", "stock.transfer_get", [p("TRANSFER", "transfer_id", .code(.transfer))],
                     "Show a transfer and what is still in transit"),
        ShellCommand("channel upsert", "channel.upsert", [p("CHANNEL", "channel", .code(.channel))],
                     options: [("name", "name", .code(nil)), ("warehouses", "warehouses", .list), ("active", "active", .bool),
                               ("profile", "profile", .code(nil)), ("shipped_orders_move_stock", "shipped_orders_move_stock", .bool)],
                     "Create or update a sales channel (warehouses=SH,BJ serve it; profile=shopify maps its payloads)"),
        ShellCommand("channel sku", "channel.sku", [p("CHANNEL", "channel", .code(.channel)), p("SKU", "sku", .code(.sku))],
                     options: [("cap", "cap", .intOrNone), ("open", "open", .bool), ("reason", "reason", .code(nil))],
                     "Cap what a channel may sell of a SKU (cap=N|none), or close/open it (open=false)"),
        ShellCommand("channel get", "channel.get", [p("CHANNEL", "channel", .code(.channel))],
                     "Show a channel: warehouses, and per SKU cap, used, sellable"),
        ShellCommand("order create", "order.create", lines: Lines(field: "lines", price: true, required: true),
                     options: [("channel", "channel", .code(nil)), ("currency", "currency", .code(nil)), ("external_id", "external_id", .code(nil)),
                               ("region", "ship_to.region", .code(nil)),
                               ("shipping_fee", "shipping_fee", .money), ("warehouse", "warehouse", .code(.warehouse)),
                               ("customer", "customer.name", .code(nil)), ("phone", "customer.phone", .code(nil)),
                               ("email", "customer.email", .code(nil)), ("note", "note", .code(nil)),
                               ("deposit", "deposit", .money), ("balance_due_at", "balance_due_at", .code(nil)),
                               ("carrier", "carrier", .code(nil)), ("priority", "priority", .int)],
                     "Create an order and reserve its stock (lines as SKU:QTY@UNIT_PRICE)"),
        ShellCommand("order pay", "order.pay", [p("ORDER", "order_id", .code(.order)), p("AMOUNT", "amount", .money, optional: true)],
                     options: [("ref", "payment_ref", .code(nil))], "Record payment of the amount due"),
        ShellCommand("order allocate", "order.allocate", [p("ORDER", "order_id", .code(.order))],
                     "Choose the warehouses that ship a paid order (region, priority, distance)"),
        ShellCommand("order hold", "order.hold", [p("ORDER", "order_id", .code(.order)), p("REASON", "reason", .text)],
                     "Hold an order before it ships (it remembers where it was)"),
        ShellCommand("order release", "order.release", [p("ORDER", "order_id", .code(.order)), p("REASON", "reason", .text, optional: true)],
                     "Release a held order back to where it was"),
        ShellCommand("order pick", "order.pick", [p("ORDER", "order_id", .code(.order))],
                     "Record everything allocated as picked"),
        ShellCommand("order pack", "order.pack", [p("ORDER", "order_id", .code(.order)), p("WEIGHT_G", "weight_g", .int)],
                     lines: nil, options: [("scans", "scans", .list), ("packaging_g", "packaging_g", .int), ("partial", "partial", .bool)],
                     "Pack a parcel: scans=ORDER,BARCODE,... checked item by item, weight checked"),
        ShellCommand("order override-weight", "order.override_weight",
                     [p("ORDER", "order_id", .code(.order)), p("PARCEL", "parcel", .int), p("REASON", "reason", .text)],
                     "Let a parcel held by the weight check ship (recorded)"),
        ShellCommand("pick wave", "pick.wave", [p("WAREHOUSE", "warehouse", .code(.warehouse))],
                     options: [("carrier", "carrier", .code(nil)), ("cutoff", "cutoff", .code(nil)), ("limit", "limit", .int)],
                     "Start a pick wave of allocated orders and print its pick list by location"),
        ShellCommand("pick list", "pick.wave_get", [p("WAVE", "wave_id", .code(nil))], "Print a wave's pick list (what is still to pick)"),
        ShellCommand("order slip", "order.packing_slip", [p("ORDER", "order_id", .code(.order)), p("PARCEL", "parcel", .int, optional: true)],
                     "Print the packing slip (of the order, or one parcel)"),
        ShellCommand("order ship", "order.ship",
                     [p("ORDER", "order_id", .code(.order)), p("CARRIER", "carrier", .code(nil)), p("TRACKING", "tracking_no", .code(nil))],
                     "Ship the packed parcels"),
        ShellCommand("order deliver", "order.deliver", [p("ORDER", "order_id", .code(.order)), p("TRACKING", "tracking_no", .code(nil), optional: true)],
                     "Record delivery (of one shipment, or all)"),
        ShellCommand("order complete", "order.complete", [p("ORDER", "order_id", .code(.order))], "Complete a delivered order"),
        ShellCommand("order pickup", "order.pickup", [p("ORDER", "order_id", .code(.order))],
                     "Hand a paid order over at the counter: its units leave stock, it completes"),
        ShellCommand("order cancel", "order.cancel", [p("ORDER", "order_id", .code(.order)), p("REASON", "reason", .text, optional: true)],
                     "Cancel an order that has not shipped; releases its stock"),
        ShellCommand("order get", "order.get", [p("ORDER", "order_id", .code(.order))], "Show an order with lines, totals and payments"),
        ShellCommand("order show", "order.get", [p("ORDER", "order_id", .code(.order))], also: ("order.timeline", "events", "timeline"),
                     "Show an order with lines, parcels, shipments and its timeline"),
        ShellCommand("order list", "order.list",
                     options: [("state", "state", .code(nil)), ("channel", "channel", .code(nil)), ("warehouse", "warehouse", .code(.warehouse)),
                               ("placed_before", "placed_before", .code(nil)), ("stuck", "stuck", .bool), ("limit", "limit", .int),
                               ("after", "after", .code(.order))],
                     "List orders, newest first"),
        ShellCommand("order timeline", "order.timeline", [p("ORDER", "order_id", .code(.order))], "Show every state change of an order"),
        ShellCommand("tracking event", "tracking.event",
                     [p("CARRIER", "carrier", .code(nil)), p("TRACKING", "tracking_no", .code(nil)), p("STATUS", "status", .code(nil))],
                     options: [("time", "time", .code(nil)), ("message", "message", .code(nil)), ("location", "location", .code(nil))],
                     "Apply a carrier event (in_transit, delivered, failed_attempt, exception, ... or AfterShip tags)"),
        ShellCommand("tracking get", "tracking.get", [p("CARRIER", "carrier", .code(nil)), p("TRACKING", "tracking_no", .code(nil))],
                     "Show a parcel's tracking events"),
        ShellCommand("order status", "order.status_for", [p("ORDER", "order_id", .code(.order)), p("SOURCE", "source", .code(nil))],
                     "The order's status as a source (channel, WMS) names it"),
        ShellCommand("status report", "status.report",
                     [p("SOURCE", "source", .code(nil)), p("ORDER", "order_id", .code(.order)), p("STATUS", "status", .code(nil))],
                     "Record what a source says an order's status is"),
        ShellCommand("status drift", "status.drift", options: [("source", "source", .code(nil)), ("limit", "limit", .int)],
                     "Orders whose reported status disagrees with the anchor"),
        ShellCommand("actor upsert", "actor.upsert", [p("ACTOR", "actor_id", .code(nil))],
                     options: [("role", "role", .code(nil)), ("name", "name", .code(nil)), ("active", "active", .bool)],
                     "Register an actor with a role (role=operator|supervisor|admin); once an admin exists, only an admin"),
        ShellCommand("actor get", "actor.get", [p("ACTOR", "actor_id", .code(nil))], "Show an actor and its role"),
        ShellCommand("actor list", "actor.list", [], "List actors and their roles"),
        ShellCommand("actor permissions", "actor.permissions", [], "The role each command and setting needs (docs/roles.md)"),
        ShellCommand("return request", "return.request", [p("ORDER", "order_id", .code(.order)), p("REASON", "reason", .code(nil))],
                     lines: Lines(field: "lines", price: false, required: true), options: [("note", "note", .text)],
                     "Open a return for shipped units (SKU:QTY...); prints the refund quote"),
        ShellCommand("return approve", "return.approve", [p("RETURN", "return_id", .code(.returnID)), p("NOTE", "note", .text, optional: true)],
                     "Approve a requested return (its amount decides the role needed)"),
        ShellCommand("return reject", "return.reject", [p("RETURN", "return_id", .code(.returnID)), p("REASON", "reason", .text)], "Reject a requested return"),
        ShellCommand("return receive", "return.receive", [p("RETURN", "return_id", .code(.returnID)), p("WAREHOUSE", "warehouse", .code(.warehouse))],
                     lines: Lines(field: "lines", price: false, required: true),
                     options: [("grade", "grade", .code(nil)), ("weight_g", "weight_g", .int)],
                     "Record units that arrived (SKU:QTY...), graded (grade=resellable|damaged|wrong_item|empty; weight_g= of the parcel)"),
        ShellCommand("return inspect", "return.inspect", [p("RETURN", "return_id", .code(.returnID)), p("WAREHOUSE", "warehouse", .code(.warehouse))],
                     lines: Lines(field: "lines", price: false, required: true),
                     options: [("grade", "grade", .code(nil)), ("note", "note", .text)],
                     "A supervisor regrades units received empty or wrong (SKU:QTY..., grade=resellable|damaged): back to stock, refundable"),
        ShellCommand("return refund", "return.refund", [p("RETURN", "return_id", .code(.returnID))],
                     options: [("ref", "refund_ref", .code(nil)), ("before_receipt", "before_receipt", .text)],
                     "Refund what arrived and was not refunded, per tender"),
        ShellCommand("return get", "return.get", [p("RETURN", "return_id", .code(.returnID))],
                     "A return: lines, allocation per line, quote, refunds, timeline"),
        ShellCommand("return list", "return.list", options: [("state", "state", .code(nil)), ("order", "order_id", .code(.order)),
                                                             ("overdue", "overdue", .bool), ("older_than_hours", "older_than_hours", .int),
                                                             ("limit", "limit", .int), ("after", "after", .code(.returnID))],
                     "Returns oldest first (state= order= overdue=true older_than_hours=)"),
        ShellCommand("customer returns", "customer.returns", [p("CUSTOMER", "customer", .code(nil))],
                     "A customer's returns record: rate, refunded, empty-box and wrong-item signals"),
        ShellCommand("risk queue", "risk.queue", options: [("limit", "limit", .int)], "Orders waiting for a risk review, with their reasons"),
        ShellCommand("risk show", "risk.get", [p("ORDER", "order_id", .code(.order))], "An order's risk score, reasons and review"),
        ShellCommand("risk assess", "risk.assess", [p("ORDER", "order_id", .code(.order))], options: [("dry_run", "dry_run", .bool)],
                     "Score an order again with the current rules"),
        ShellCommand("risk review", "risk.review", [p("ORDER", "order_id", .code(.order)), p("DECISION", "decision", .code(nil)),
                                                    p("REASON", "reason", .text)],
                     "A supervisor's decision: approve (releases the hold) or reject (cancels)"),
        ShellCommand("risk list", "risk.list_set", [p("KIND", "kind", .code(nil)), p("VALUE", "value", .code(nil)), p("LIST", "list", .code(nil))],
                     options: [("note", "note", .text)], "Put a phone|email|device|ip|customer|address on the allow or block list"),
        ShellCommand("risk rules", "risk.rules_get", [], "The current risk rules and their version"),
        ShellCommand("intake dead", "intake.dead_letters", [p("CHANNEL", "channel", .code(.channel), optional: true)],
                     options: [("after", "after", .int), ("limit", "limit", .int)], "List channel events that could not be applied, with the reason"),
        ShellCommand("intake show", "intake.get", [p("INBOX_ID", "inbox_id", .int)], "Show one stored channel event: raw payload and outcome"),
        ShellCommand("intake retry", "intake.retry", [p("INBOX_ID", "inbox_id", .int)], "Apply a dead letter again after fixing its cause"),
        ShellCommand("intake profiles", "intake.profiles", [], "List channel profiles (builtin and stored)"),
        ShellCommand("events consumers", "events.consumers", [], "List change-feed consumers with their cursor and lag"),
        ShellCommand("report sales", "report.sales", options: [("from", "from", .code(nil)), ("to", "to", .code(nil)), ("by", "by", .code(nil)),
                                                               ("channel", "channel", .code(.channel))],
                     "Sales of orders paid in a period: GMV, discounts, refunds, net (by=day|channel|sku|total)"),
        ShellCommand("report alerts", "report.alerts", options: [("limit", "limit", .int)], shows: "items",
                     "Everything that needs a person, most urgent first, with what to do (watch report alerts refreshes it)"),
        ShellCommand("report health", "report.health", options: [("from", "from", .code(nil)), ("to", "to", .code(nil)), ("verify", "verify", .bool)],
                     "Order health: each component's value, score and grade, the weighted score, per channel and warehouse"),
        ShellCommand("report html", "report.html", [p("FILE", "path", .code(nil))],
                     options: [("from", "from", .code(nil)), ("to", "to", .code(nil)), ("verify", "verify", .bool)],
                     "Write the operations dashboard: one self-contained HTML file to open in a browser"),
        ShellCommand("db backup", "db.backup", [p("FILE", "path", .code(nil))], "Copy the whole database, online, to FILE (checked before it is put in place)"),
        ShellCommand("db check", "db.check", options: [("quick", "quick", .bool), ("limit", "limit", .int)],
                     "Check every page and index, foreign keys, and every balance against the ledger"),
        ShellCommand("config get", "config.get", [p("KEY", "key", .code(nil), optional: true)], "Show settings"),
        ShellCommand("config set", "config.set", [p("KEY", "key", .code(nil)), p("VALUE", "value", .auto)], "Change a setting"),
        ShellCommand("sweep", "sweep", [], "Close unpaid orders past their timeout, release their stock, update low-stock alerts"),
    ]

    /// `A1:2@19.90` -> `{"sku":"A1","qty":2,"unit_price":"19.90"}` (`A1:2` without prices).
    static func line(_ word: String, price: Bool, usage: String) throws(ShellError) -> JSON {
        guard let colon = word.lastIndex(of: ":"), colon != word.startIndex else {
            throw ShellError("'\(word)' is not a line (SKU:QTY\(price ? "@PRICE" : "")); usage: \(usage)")
        }
        let parts = word[word.index(after: colon)...].split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let qty = parts.first, Int64(qty) != nil else {
            throw ShellError("'\(word)': quantity must be an integer (SKU:QTY\(price ? "@PRICE" : ""))")
        }
        var line: JSONObject = ["sku": .string(String(word[..<colon])), "qty": .number(String(qty))]
        if price {
            line["unit_price"] = .string(parts.count > 1 ? String(parts[1]) : "0")
        } else if parts.count > 1 {
            throw ShellError("'\(word)': no price here (SKU:QTY)")
        }
        return .object(line)
    }

    /// Sets `field`, where `customer.name` means the member `name` of the object `customer`.
    static func set(_ object: inout JSONObject, _ field: String, _ value: JSON) {
        guard let dot = field.firstIndex(of: ".") else { object[field] = value; return }
        let head = String(field[..<dot])
        var inner = object[head]?.objectValue ?? JSONObject()
        inner[String(field[field.index(after: dot)...])] = value
        object[head] = .object(inner)
    }

    /// The command named by the first words of `words`, with the words that follow it.
    public static func match(_ words: [String]) -> (ShellCommand, [String])? {
        let aliases = ["stock show": "stock get"]
        for command in all.sorted(by: { $0.words.count > $1.words.count }) {
            let n = command.words.count
            guard words.count >= n else { continue }
            let head = words.prefix(n).joined(separator: " ")
            if head == command.name || aliases[head] == command.name { return (command, Array(words.dropFirst(n))) }
        }
        return nil
    }
}

/// A shell usage error (before anything reaches the engine).
public struct ShellError: Error, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
