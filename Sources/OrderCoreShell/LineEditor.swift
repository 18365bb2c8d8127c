import CEditLine
import OrderCore

#if canImport(Glibc)
import Glibc
#endif

/// libedit line editing for interactive sessions: history kept in a file, tab completion.
final class LineEditor {
    private let historyPath: String?

    init(historyPath: String?, engine: Engine) {
        self.historyPath = historyPath
        completionEngine = engine
        ceditline_configure(attemptCompletion)
        stifle_history(1000)
        if let historyPath { _ = read_history(historyPath) }
    }

    /// The next line, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        if !line.allSatisfy(\.isWhitespace) {
            add_history(raw)
            if let historyPath { _ = write_history(historyPath) }
        }
        return line
    }
}

// libedit calls plain C functions, so the completion state lives in globals. They are only touched on
// the thread running the interactive loop, from inside readline().
nonisolated(unsafe) private var completionEngine: Engine?
nonisolated(unsafe) private var pendingMatches: [String] = []
nonisolated(unsafe) private var nextMatchIndex = 0

private let attemptCompletion:
    @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = {
        text, start, _ in
        ceditline_completion_over()
        let word = text.map { String(cString: $0) } ?? ""
        var before = ""
        if let line = ceditline_line_buffer() {
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(line).assumingMemoryBound(to: UInt8.self), count: strlen(line))
            before = String(decoding: bytes.prefix(max(0, Int(start))), as: UTF8.self)
        }
        pendingMatches = Completion.candidates(before: before, word: word) { kind, prefix in
            completionEngine?.complete(kind, prefix: prefix) ?? []
        }
        guard !pendingMatches.isEmpty else { return nil }
        return rl_completion_matches(word, nextMatch)
    }

/// The generator rl_completion_matches calls until it returns NULL; state 0 starts over.
private let nextMatch: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, state in
    if state == 0 { nextMatchIndex = 0 }
    guard nextMatchIndex < pendingMatches.count else { return nil }
    defer { nextMatchIndex += 1 }
    return strdup(pendingMatches[nextMatchIndex])
}
