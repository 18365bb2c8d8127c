import OrderCore

#if canImport(Glibc)
import Glibc
#endif

/// `ordercore [DB] [-c COMMAND]... [--json] [--csv] [--bail]`: the entry point of the shell executable.
/// - Returns: the process exit status: 0, 1 when a command failed, 2 for usage or open errors.
public func shellMain(_ arguments: [String]) -> Int32 {
    var path: String?
    var commands: [String] = []
    var mode = OutputMode.table
    var bail = false
    var i = 0
    while i < arguments.count {
        let arg = arguments[i]
        switch arg {
        case "-h", "--help":
            print(usage)
            return 0
        case "--version":
            print("ordercore \(Version.string)")
            return 0
        case "--json": mode = .json
        case "--csv": mode = .csv
        case "--bail": bail = true
        case "-c":
            i += 1
            guard i < arguments.count else { Shell.standardError("ordercore: -c needs a command\n\(usage)"); return 2 }
            commands.append(arguments[i])
        default:
            guard !arg.hasPrefix("-") || arg == "-", path == nil else {
                Shell.standardError("ordercore: unexpected argument '\(arg)'\n\(usage)")
                return 2
            }
            path = arg
        }
        i += 1
    }
    let dbPath = path ?? "ordercore.db"
    let engine: Engine
    do {
        engine = try Engine(path: dbPath)
    } catch {
        Shell.standardError("ordercore: cannot open \(dbPath): \(error.message) (\(error.code.rawValue))")
        return 2
    }
    defer { engine.close() }
    let interactive = commands.isEmpty && isatty(0) == 1 && isatty(1) == 1
    let shell = Shell(engine: engine, mode: mode, bail: bail || !commands.isEmpty, actor: osActor())

    if !commands.isEmpty {
        for command in commands where shell.execute(command) != .proceed { break }
    } else if interactive {
        print(
            "OrderCore \(Version.string) — database \(dbPath), acting as \(shell.actor)\nType help for commands, .quit "
                + "to leave."
        )
        let roles =
            (try? engine.run("actor.list").get())?["actors"]?.arrayValue?.compactMap { $0["role"]?.stringValue } ?? []
        if !roles.contains("admin") {
            print("This database has no admin yet: `actor upsert \(shell.actor) role=admin` makes you its first admin.")
        }
        let editor = LineEditor(historyPath: historyPath(engine), engine: engine)
        while let line = editor.readLine(prompt: "ordercore> ") {
            if shell.execute(line) == .quit { break }
        }
    } else {
        while let line = readLine() {
            if shell.execute(line) != .proceed { break }
        }
    }
    return shell.failures > 0 && !interactive ? 1 : 0
}

let usage = """
    usage: ordercore [DB] [-c COMMAND]... [--json|--csv] [--bail]
      DB           database file (default ./ordercore.db; created and migrated when needed), or a
                   postgresql:// URI or libpq keyword string for a shared PostgreSQL database
      -c COMMAND   run COMMAND and exit (repeatable; stops at the first error)
      --json       print results as JSON (same as .mode json)
      --csv        print results as CSV (same as .mode csv)
      --bail       stop at the first error when reading commands from standard input
    Interactive on a terminal (history in ~/.ordercore_history, tab completion, help);
    otherwise reads commands from standard input and exits 1 if any failed.
    """

/// The history file, unless it would write over the open database or is not a regular file.
private func historyPath(_ engine: Engine) -> String? {
    let path: String
    if let explicit = getenv("ORDERCORE_HISTORY") {
        path = String(cString: explicit)
    } else {
        guard let home = getenv("HOME") else { return nil }
        path = String(cString: home) + "/.ordercore_history"
    }
    var s = stat()
    if engine.isDatabaseFile(path) || (stat(path, &s) == 0 && s.st_mode & S_IFMT != S_IFREG) {
        Shell.standardError("ordercore: not keeping history in \(path): it is the database or not a regular file")
        return nil
    }
    return path
}

/// Who the shell acts as: the login name of the process's real user id, looked up in the system's
/// user database — never an environment variable a user can set. `system` (the trusted host program)
/// and names that are not valid codes become `uid<N>`.
func osActor() -> String {
    let uid = getuid()
    var entry = passwd()
    var result: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 4_096)
    if getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result, let raw = result.pointee.pw_name {
        let name = String(cString: raw)
        if name != "system", Engine.isValidCode(name) { return name }
    }
    return "uid\(uid)"
}
