#if canImport(Glibc)
import Glibc
#endif

/// The terminal while `watch` runs: keys arrive one at a time, unechoed (Ctrl-C is a key too), and
/// the terminal is restored afterwards whatever happened.
enum Terminal {
    static func withKeysUnbuffered(_ body: () -> Void) {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return body() }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &saved) }
        body()
    }

    /// Waits up to `seconds` for a key; true (and the key consumed) when one came or input ended.
    static func keyPressed(within seconds: Double) -> Bool {
        var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&input, 1, Int32(seconds * 1000)) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        _ = read(0, &buffer, buffer.count)
        return true
    }
}
