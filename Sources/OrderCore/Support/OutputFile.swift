#if canImport(Glibc)
import Glibc
#endif

/// The files one SQLite database lives in: the main file and the sidecars SQLite creates beside it
/// (`-wal`, `-shm`, `-journal`). Writing over any of them while the database is open loses
/// acknowledged orders, so every output (export, dashboard, backup, the shell's history) is checked
/// against them by name and by device and inode (a hard link or another spelling of the same path).
public struct DatabaseFiles: Sendable {
    /// Absolute paths, symbolic links resolved.
    let paths: [String]

    /// - Parameter main: the database's path as SQLite reports it (`sqlite3_db_filename`); nil for an
    ///   empty name (an in-memory or temporary database).
    init?(_ main: String) {
        guard !main.isEmpty else { return nil }
        let resolved = OutputFile.resolve(main) ?? main
        paths = [resolved] + ["-wal", "-shm", "-journal"].map { resolved + $0 }
    }

    /// Whether `path` names one of these files, existing or not.
    func contains(_ path: String) -> Bool {
        if let resolved = OutputFile.resolve(path), paths.contains(resolved) { return true }
        var target = stat()
        guard stat(path, &target) == 0 else { return false }
        return paths.contains { file in
            var s = stat()
            return stat(file, &s) == 0 && s.st_dev == target.st_dev && s.st_ino == target.st_ino
        }
    }
}

/// A file that appears complete or not at all: written to a temporary file beside `path` (created
/// exclusively, never through a link, under a name nobody can predict), flushed to disk, renamed.
struct OutputFile {
    let path: String
    let temporary: String
    private var file: UnsafeMutablePointer<FILE>?
    private(set) var bytes: Int64 = 0

    /// - Throws: `invalid_input` for a target that is the open database or one of its files, a
    ///   symbolic link, a directory, a FIFO or a device; `io` or `full` when the file cannot be made.
    init(path: String, protecting database: DatabaseFiles?) throws {
        self.path = path
        let (fd, temporary) = try OutputFile.temporary(for: path, protecting: database)
        self.temporary = temporary
        file = fdopen(fd, "w")
        if file == nil {
            close(fd)
            unlink(temporary)
            throw OutputFile.failure("cannot write \(temporary)")
        }
    }

    /// Checks `path` as an output (see `checkTarget`) and creates an empty temporary file for it in
    /// the same directory (so the final rename stays on one file system).
    /// - Returns: the open descriptor and the temporary file's path.
    static func temporary(
        for path: String, protecting database: DatabaseFiles?, replacingDatabases: Bool = false
    ) throws -> (Int32, String) {
        try checkTarget(path, protecting: database, replacingDatabases: replacingDatabases)
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        for _ in 0..<8 {
            let temporary =
                directory + "." + name.prefix(100) + "." + String(UInt64.random(in: .min ... .max), radix: 36)
                + ".partial"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, temporary) }
            guard errno == EEXIST else { throw failure("cannot create a file in the directory of \(path)") }
        }
        throw failure("cannot create a file in the directory of \(path)")
    }

    /// Refuses an output target that would destroy something: the open database or its `-wal`,
    /// `-shm` or `-journal` (by resolved name, and by device and inode), anything but a regular
    /// file where one exists already (a symbolic link, a directory, a FIFO, a device, a socket), and
    /// — unless `replacingDatabases` (a backup over an older one) — a file that is an SQLite database.
    static func checkTarget(
        _ path: String, protecting database: DatabaseFiles?, replacingDatabases: Bool = false
    ) throws(OrderCoreError) {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw .invalid("path must name a file, not '\(path)'", field: "path")
        }
        if let database, database.contains(path) {
            throw .invalid(
                "'\(path)' is the open database (or one of its -wal, -shm, -journal files); name another file",
                field: "path")
        }
        var s = stat()
        guard lstat(path, &s) == 0 else { return }  // a new file
        switch s.st_mode & S_IFMT {
        case S_IFREG:
            if !replacingDatabases, isDatabase(path) {
                throw .invalid("'\(path)' is a database; name another file", field: "path")
            }
        case S_IFLNK: throw .invalid("'\(path)' is a symbolic link; name the file itself", field: "path")
        case S_IFDIR: throw .invalid("'\(path)' is a directory; name a file in it", field: "path")
        default: throw .invalid("'\(path)' is not a regular file (a FIFO, device or socket)", field: "path")
        }
    }

    /// Whether `path` is a regular file that is an SQLite database (its header says so). Never blocks:
    /// a FIFO is opened non-blocking and is no database.
    static func isDatabase(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var s = stat()
        guard fstat(fd, &s) == 0, s.st_mode & S_IFMT == S_IFREG else { return false }
        var header = [UInt8](repeating: 0, count: 16)
        return read(fd, &header, 16) == 16 && header == Array("SQLite format 3\0".utf8)
    }

    /// `path` made absolute with every link resolved; a file that does not exist yet resolves through
    /// its directory. Nil when the directory does not exist either.
    static func resolve(_ path: String) -> String? {
        if let full = realpath(path, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let full = realpath(directory, nil) else { return nil }
        defer { free(full) }
        let parent = String(cString: full)
        return (parent == "/" ? "" : parent) + "/" + name
    }

    mutating func write(_ text: String) throws {
        var text = text
        let count = text.utf8.count
        let written = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == count else { throw OutputFile.failure("cannot write \(temporary)") }
        bytes += Int64(count)
    }

    /// Flushes to disk and puts the file in place (a rename replaces a link at `path`, never writes
    /// through it).
    mutating func finish() throws {
        guard fflush(file) == 0, fsync(fileno(file)) == 0 else { throw OutputFile.failure("cannot write \(temporary)") }
        fclose(file)
        file = nil
        guard rename(temporary, path) == 0 else {
            let error = OutputFile.failure("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
    }

    /// Removes the partial file after a failure.
    mutating func abandon() {
        if let file { fclose(file) }
        file = nil
        unlink(temporary)
    }

    static func failure(_ what: String) -> OrderCoreError {
        let reason = String(cString: strerror(errno))
        return OrderCoreError(errno == ENOSPC ? .full : .io, "\(what): \(reason)")
    }
}
