/// `report.html`: one self-contained HTML file — inline CSS and SVG, no script, nothing fetched — with
/// the health score and its components, orders by state, the funnel, the paid → shipped trend, regions,
/// the stock board, what to buy, alerts, returns and the risk queue. Every figure comes from the command
/// that reports it (`report.health`, `report.funnel`, `report.regions`, `stock.board`,
/// `stock.replenishment`, `report.alerts`, `risk.queue`), so the page and the data agree.
enum DashboardCommands {
    static let all = [html]

    static let html = Command(
        "report.html", .read,
        "Write the operations dashboard as one self-contained HTML file (path, from, to, verify)", role: .operator,
        arguments: [
            Argument("path", .text, required: true, positional: true),
            Argument("from", .time),
            Argument("to", .time),
            Argument("verify", .boolean),
        ],
        result: ["path", "bytes", "score", "grade"]
    ) { ctx, f in
        guard let path = try f.text("path", maxLength: 4_096), !path.isEmpty else {
            throw OrderCoreError.invalid("path is required: the HTML file to write", field: "path")
        }
        var period = JSONObject()
        for key in ["from", "to"] { if let t = try f.time(key) { period[key] = .string(Timestamp.format(t)) } }
        if let verify = try f.bool("verify") { period["verify"] = .bool(verify) }
        try f.finish()
        let health = try HealthCommands.health.run(ctx, Fields(period))
        var window = period
        window["verify"] = nil
        let page = Dashboard(
            generated: ctx.at,
            health: health,
            ordersByState: try ctx.store.orderCountsByState(),
            board: try StockWatchCommands.board.run(ctx, Fields(["limit": 40])),
            alerts: try AlertCommands.alerts.run(ctx, Fields(["limit": 30])),
            returnsByState: try ctx.store.returnCountsByState(),
            riskQueue: try ctx.store.riskQueueCount(),
            funnel: try InsightCommands.funnel.run(ctx, Fields(window)),
            regions: try InsightCommands.regions.run(ctx, Fields(window)),
            replenishment: try StockWatchCommands.replenishment.run(ctx, Fields(["limit": 20]))
        ).html
        var file = try OutputFile(path: path, protecting: ctx.store.db.files)
        do {
            try file.write(page)
            try file.finish()
        } catch {
            file.abandon()
            throw error
        }
        return [
            "path": .string(path), "bytes": .int(file.bytes), "score": health["score"] ?? .null,
            "grade": health["grade"] ?? .null,
        ]
    }
}

/// The page, built from the reports' documents.
struct Dashboard {
    let generated: Int64
    let health: JSON
    let ordersByState: [(state: String, count: Int64)]
    let board: JSON
    let alerts: JSON
    let returnsByState: [(state: String, count: Int64)]
    let riskQueue: Int64
    let funnel: JSON
    let regions: JSON
    let replenishment: JSON

    static let gradeColours = ["A": "#15803d", "B": "#65a30d", "C": "#ca8a04", "D": "#ea580c", "F": "#dc2626"]

    var html: String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>OrderCore operations</title>
            <style>\(Dashboard.css)</style>
            </head>
            <body>
            <header><h1>OrderCore operations</h1>
                <p>\(e(text(health["from"]))) to \(e(text(health["to"])))
                    · generated \(e(Timestamp.format(generated)))</p></header>
            <main>

            """
        out += healthSection + ordersSection + funnelSection + trendSection + regionsSection + stockSection
        out += replenishmentSection + alertsSection + returnsSection
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: - Sections

    var healthSection: String {
        let score = health["score"]?.intValue
        let grade = health["grade"]?.stringValue ?? "–"
        let colour = Dashboard.gradeColours[grade] ?? "#6b7280"
        // A ring: the coloured arc is the score's share of the circumference.
        let circumference = 2 * 3.14159265 * 52
        let arc = Double(score ?? 0) / 100 * circumference
        var rows = ""
        for c in health["components"]?.arrayValue ?? [] {
            let s = c["score"]?.intValue
            let g = c["grade"]?.stringValue ?? "–"
            rows +=
                "<tr><td>\(e(text(c["component"])))</td><td class=\"num\">\(e(text(c["value"]))) "
                + "\(e(text(c["unit"])))</td>"
                + "<td><svg class=\"bar\" width=\"160\" height=\"14\" role=\"img\" aria-label=\"score "
                + "\(s.map(String.init) ?? "none")\">"
                + "<rect width=\"160\" height=\"14\" fill=\"#e5e7eb\"/><rect width=\"\(Int(s ?? 0) * 160 / 100)\" "
                + "height=\"14\" fill=\"\(Dashboard.gradeColours[g] ?? "#9ca3af")\"/></svg></td>"
                + "<td class=\"num\">\(s.map(String.init) ?? "–")</td><td class=\"grade "
                + "grade-\(e(g))\">\(e(g))</td><td class=\"num\">\(e(text(c["weight"])))</td></tr>\n"
        }
        return """
            <section id="health"><h2>Health</h2>
            <div class="score">
            <svg width="140" height="140" viewBox="0 0 140 140" role="img"
                aria-label="health score \(score.map(String.init) ?? "none")">
            <circle cx="70" cy="70" r="52" fill="none" stroke="#e5e7eb" stroke-width="16"/>
            <circle cx="70" cy="70" r="52" fill="none" stroke="\(colour)" stroke-width="16"
                stroke-dasharray="\(Int(arc)) \(Int(circumference))" transform="rotate(-90 70 70)"/>
            <text x="70" y="78" text-anchor="middle" font-size="30" font-weight="700"
                fill="#111827">\(score.map(String.init) ?? "–")</text>
            </svg>
            <p class="grade grade-\(e(grade))">grade \(e(grade))</p>
            </div>
            <table><thead><tr><th>component</th><th>value</th><th>score</th><th></th><th>grade</th><th>weight</th></tr>
                </thead>
            <tbody>
            \(rows)</tbody></table>
            \(groupTable("channel", "channels"))\(groupTable("warehouse", "warehouses"))</section>

            """
    }

    /// One line per channel or warehouse: its score, grade and the main rates.
    func groupTable(_ kind: String, _ member: String) -> String {
        let groups = health[member]?.arrayValue ?? []
        guard !groups.isEmpty else { return "" }
        var rows = ""
        for g in groups {
            let grade = g["grade"]?.stringValue ?? "–"
            rows +=
                "<tr><td>\(e(text(g[kind])))</td><td class=\"num\">\(e(text(g["score"])))</td><td class=\"grade "
                + "grade-\(e(grade))\">\(e(grade))</td>"
                + "<td class=\"num\">\(e(text(g["backlog_days"])))</td><td "
                + "class=\"num\">\(e(text(g["on_time_rate"])))</td>"
                + "<td class=\"num\">\(e(text(g["p90_paid_to_shipped_hours"])))</td><td "
                + "class=\"num\">\(e(text(g["pack_failure_rate"])))</td>"
                + "<td class=\"num\">\(e(text(g["return_rate"])))</td></tr>\n"
        }
        return """
            <h3>By \(kind)</h3>
            <table><thead><tr><th>\(kind)</th><th>score</th><th>grade</th><th>backlog days</th><th>on time</th>
                <th>p90 h</th><th>pack failures</th><th>returns</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>

            """
    }

    var ordersSection: String {
        let total = ordersByState.reduce(0) { $0 + $1.count }
        let top = max(1, ordersByState.map(\.count).max() ?? 1)
        var bars = ""
        for (i, s) in ordersByState.enumerated() {
            let y = i * 24
            bars +=
                "<text x=\"0\" y=\"\(y + 15)\" font-size=\"12\">\(e(s.state))</text>"
                + "<rect x=\"130\" y=\"\(y + 3)\" width=\"\(max(1, Int(s.count * 300 / top)))\" height=\"16\" "
                + "fill=\"#2563eb\"/>"
                + "<text x=\"\(136 + Int(s.count * 300 / top))\" y=\"\(y + 15)\" font-size=\"12\">\(s.count)</text>\n"
        }
        return """
            <section id="orders"><h2>Orders by state <small>\(total) in all</small></h2>
            <svg width="480" height="\(max(24, ordersByState.count * 24))" role="img" aria-label="orders by state">
            \(bars)</svg>
            </section>

            """
    }

    var trendSection: String {
        let days = health["daily"]?.arrayValue ?? []
        let hours = days.map { Double($0["avg_paid_to_shipped_hours"]?.stringValue ?? "") }
        let top = max(1, hours.compactMap { $0 }.max() ?? 1)
        let width = 480.0, height = 160.0
        let step = days.count > 1 ? (width - 40) / Double(days.count - 1) : 0
        var points: [String] = []
        var dots = "", labels = ""
        for (i, h) in hours.enumerated() {
            let x = 20 + Double(i) * step
            if let h {
                let y = height - 20 - h / top * (height - 40)
                points.append("\(Int(x)),\(Int(y))")
                dots +=
                    "<circle cx=\"\(Int(x))\" cy=\"\(Int(y))\" r=\"3\" "
                    + "fill=\"#7c3aed\"><title>\(e(text(days[i]["day"]))): "
                    + "\(e(text(days[i]["avg_paid_to_shipped_hours"]))) h</title></circle>"
            }
            if i == 0 || i == days.count - 1 {
                labels +=
                    "<text x=\"\(Int(x))\" y=\"\(Int(height - 4))\" font-size=\"11\" "
                    + "text-anchor=\"\(i == 0 ? "start" : "end")\">\(e(text(days[i]["day"])))</text>"
            }
        }
        let line =
            points.count > 1
            ? "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#7c3aed\" "
                + "stroke-width=\"2\"/>"
            : ""
        let onTime = health["components"]?.arrayValue?.first { $0["component"] == "on_time" }?["details"]
        return """
            <section id="trend"><h2>Paid → shipped</h2>
            <p>average \(e(text(onTime?["avg_paid_to_shipped_hours"]))) h
                · p90 \(e(text(onTime?["p90_paid_to_shipped_hours"]))) h
                · limit \(e(text(onTime?["limit_hours"]))) h</p>
            <svg width="\(Int(width))" height="\(Int(height))" role="img"
                aria-label="average hours from payment to shipment per day">
            <line x1="20" y1="\(Int(height - 20))" x2="\(Int(width - 20))" y2="\(Int(height - 20))" stroke="#9ca3af"/>
            <text x="20" y="12" font-size="11">\(Int(top)) h</text>
                <text x="20" y="\(Int(height - 24))" font-size="11">0 h</text>
            \(line)\(dots)\(labels)
            </svg>
            </section>

            """
    }

    var stockSection: String {
        var rows = ""
        for r in board["rows"]?.arrayValue ?? [] {
            let status = r["status"]?.stringValue ?? ""
            rows +=
                "<tr class=\"stock-\(e(status))\"><td>\(e(text(r["sku"])))</td><td "
                + "class=\"num\">\(e(text(r["on_hand"])))</td>"
                + "<td class=\"num\">\(e(text(r["available"])))</td><td class=\"num\">\(e(text(r["safety"])))</td>"
                + "<td class=\"num\">\(e(text(r["yesterday_sales"])))</td><td "
                + "class=\"num\">\(e(text(r["days_of_cover"])))</td><td>\(e(status))</td></tr>\n"
        }
        return """
            <section id="stock"><h2>Stock board <small>\(e(text(board["total"]))) SKUs, least cover first</small></h2>
            <table><thead><tr><th>SKU</th><th>on hand</th><th>available</th><th>safety</th><th>yesterday</th>
                <th>days of cover</th><th>status</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            </section>

            """
    }

    /// Placed → paid → shipped → delivered as bars, with the drop-offs.
    var funnelSection: String {
        let stages = funnel["stages"]?.arrayValue ?? []
        let placed = max(1, stages.first?["orders"]?.intValue ?? 0)
        var rows = ""
        for s in stages {
            let orders = s["orders"]?.intValue ?? 0
            let width = Int(orders * 300 / placed)
            let dropOff = ["cancelled", "expired", "returned"].contains(s["stage"]?.stringValue ?? "")
            rows +=
                "<tr><td>\(e(text(s["stage"])))</td><td class=\"num\">\(orders)</td>"
                + "<td><svg class=\"bar\" width=\"300\" height=\"14\" role=\"img\" aria-label=\"\(orders) orders\">"
                + "<rect width=\"300\" height=\"14\" fill=\"#e5e7eb\"/><rect width=\"\(width)\" height=\"14\" "
                + "fill=\"\(dropOff ? "#dc2626" : "#2563eb")\"/></svg></td>"
                + "<td class=\"num\">\(e(text(s["rate"])))</td></tr>\n"
        }
        return """
            <section id="funnel"><h2>Funnel <small>orders placed in the period</small></h2>
            <table><thead><tr><th>stage</th><th>orders</th><th></th><th>rate</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            </section>

            """
    }

    /// Where the period's paid orders went.
    var regionsSection: String {
        var rows = ""
        for r in (regions["rows"]?.arrayValue ?? []).prefix(15) {
            rows +=
                "<tr><td>\(e(text(r["region"])))</td><td class=\"num\">\(e(text(r["orders"])))</td>"
                + "<td class=\"num\">\(e(text(r["gmv"]))) \(e(text(r["currency"])))</td>"
                + "<td class=\"num\">\(e(text(r["units"])))</td>"
                + "<td class=\"num\">\(e(text(r["avg_ship_hours"])))</td></tr>\n"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"5\">no paid orders in the period</td></tr>\n" }
        return """
            <section id="regions"><h2>Regions <small>paid orders by ship-to region</small></h2>
            <table><thead><tr><th>region</th><th>orders</th><th>GMV</th><th>units</th><th>hours to ship</th></tr>
                </thead>
            <tbody>
            \(rows)</tbody></table>
            </section>

            """
    }

    /// What to buy.
    var replenishmentSection: String {
        var rows = ""
        for r in replenishment["rows"]?.arrayValue ?? [] {
            rows +=
                "<tr><td>\(e(text(r["sku"])))</td><td>\(e(text(r["warehouse"])))</td>"
                + "<td class=\"num\">\(e(text(r["available"])))</td>"
                + "<td class=\"num\">\(e(text(r["reorder_point"])))</td>"
                + "<td class=\"num\">\(e(text(r["suggested_qty"])))</td><td>\(e(text(r["reason"])))</td></tr>\n"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">nothing to buy</td></tr>\n" }
        return """
            <section id="replenishment"><h2>Replenishment <small>what to buy</small></h2>
            <table><thead><tr><th>SKU</th><th>warehouse</th><th>available</th><th>reorder point</th>
                <th>suggested</th><th>why</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            </section>

            """
    }

    var alertsSection: String {
        var rows = ""
        for a in alerts["items"]?.arrayValue ?? [] {
            let subject = a["order_id"] ?? a["sku"] ?? a["ref"]
            rows +=
                "<tr class=\"severity-\(e(text(a["severity"])))\"><td>\(e(text(a["severity"])))</td>"
                + "<td>\(e(text(a["kind"])))</td>"
                + "<td>\(e(text(subject)))</td><td "
                + "class=\"num\">\(e(text(a["age_hours"])))</td><td>\(e(text(a["resolve"])))</td></tr>\n"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"5\">nothing needs a person</td></tr>\n" }
        return """
            <section id="alerts"><h2>Alerts</h2>
            <table><thead><tr><th>severity</th><th>kind</th><th>about</th><th>age (h)</th><th>what to do</th></tr>
                </thead>
            <tbody>
            \(rows)</tbody></table>
            </section>

            """
    }

    var returnsSection: String {
        let rate = health["components"]?.arrayValue?.first { $0["component"] == "returns" }?["value"]
        let states = returnsByState.map { "<li>\(e($0.state)) <b>\($0.count)</b></li>" }.joined()
        return """
            <section id="returns"><h2>Returns and risk</h2>
            <p>return rate in the period: <b>\(e(text(rate)))</b></p>
            <ul class="counts">\(states.isEmpty ? "<li>no returns</li>" : states)</ul>
            <p id="risk">risk queue: <b>\(riskQueue)</b> orders waiting for a review</p>
            </section>

            """
    }

    // MARK: - Text

    func text(_ value: JSON?) -> String {
        switch value {
        case nil, .null?: "–"
        case .string(let s)?: s
        case .number(let n)?: n
        case .bool(let b)?: b ? "yes" : "no"
        case let other?: other.serialized
        }
    }

    /// Escaped for HTML text and attribute values.
    func e(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static let css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f4f6;color:#111827}
        header{background:#111827;color:#f9fafb;padding:16px 24px}header h1{margin:0;font-size:22px}
            header p{margin:4px 0 0;color:#d1d5db}
        main{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px;padding:16px}
        section{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
        h2{margin:0 0 12px;font-size:17px}h2 small{color:#6b7280;font-weight:400}h3{margin:16px 0 6px;font-size:14px}
        table{border-collapse:collapse;width:100%;font-size:13px}
            th,td{padding:4px 8px;border-bottom:1px solid #e5e7eb;text-align:left}
        .num{text-align:right;font-variant-numeric:tabular-nums}.score{display:flex;align-items:center;gap:16px}
        .grade{font-weight:700}.grade-A{color:#15803d}.grade-B{color:#65a30d}.grade-C{color:#ca8a04}
            .grade-D{color:#ea580c}.grade-F{color:#dc2626}
        .stock-warning td{background:#fde68a}.stock-sufficient td{background:#dcfce7}
        .severity-high td{background:#fee2e2}.severity-warning td{background:#fef3c7}
        .counts{display:flex;gap:16px;list-style:none;padding:0}
        """
}
