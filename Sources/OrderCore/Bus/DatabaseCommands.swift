/// The database file itself: an online backup and an integrity check (docs/reliability.md).
enum DatabaseCommands {
    static let all = [backup, check]

    static let backup = Command(
        "db.backup", .read,
        "Copy the whole database, online, to a file: one consistent snapshot, checked before it is put in place (path)",
        role: .operator,
        roleRule: "a supervisor to replace a file that is a database (an older backup, another shop's)",
        arguments: [
            Argument(
                "path", .text, "The backup file (written aside, checked, then put in place)", required: true,
                positional: true)
        ],
        result: ["path", "pages", "bytes"]
    ) { ctx, f in
        guard let path = try f.text("path", maxLength: 4_096), !path.isEmpty else {
            throw OrderCoreError.invalid("path is required: the file to write the backup to", field: "path")
        }
        try f.finish()
        // What no one may write over (the open database, a link, a directory) is refused before who asks matters.
        try OutputFile.checkTarget(path, protecting: ctx.store.db.files, replacingDatabases: true)
        if OutputFile.isDatabase(path) { try ctx.requireRole(.supervisor, to: "replacing the database '\(path)'") }
        let (pages, bytes) = try ctx.store.db.backup(to: path)
        return ["path": .string(path), "pages": .int(pages), "bytes": .int(bytes)]
    }

    static let check = Command(
        "db.check", .read,
        "Check the database: SQLite's integrity check of every page and index, foreign keys, and every balance against "
            + "the ledger (quick, limit)",
        arguments: [
            Argument("quick", .boolean, "SQLite's quick check instead of the full one"),
            Argument("limit", .integer, "At most this many problems listed"),
        ],
        result: ["ok", "integrity", "ledger"]
    ) { ctx, f in
        let quick = try f.bool("quick") ?? false
        let limit = Int(try f.int("limit", min: 1, max: 10_000) ?? 100)
        try f.finish()
        let problems = try ctx.store.db.integrityProblems(quick: quick, limit: limit)
        let (checked, differences) = try ctx.stockDifferences()
        return [
            "ok": .bool(problems.isEmpty && differences.isEmpty), "integrity": .array(problems.map(JSON.string)),
            "ledger": [
                "ok": .bool(differences.isEmpty), "checked": .int(Int64(checked)),
                "differences": .array(Array(differences.prefix(limit))),
            ],
        ]
    }
}
