/// What the Store's SQL says differently on each engine it runs on. Everything else the Store writes is
/// in the subset SQLite and PostgreSQL both accept: `Tests/sql/portable.py` prepares every statement the
/// Swift suite ran on a real PostgreSQL server, with these renderings (it mirrors them; keep them in step).
enum SQLDialect {
    case sqlite, postgresql

    /// The text values of a group joined with commas (an aggregate).
    func commaList(_ expression: String) -> String {
        self == .sqlite ? "GROUP_CONCAT(\(expression))" : "STRING_AGG(\(expression), ',')"
    }

    /// The length of a text value in bytes.
    func byteLength(_ expression: String) -> String {
        self == .sqlite ? "length(CAST(\(expression) AS BLOB))" : "octet_length(\(expression))"
    }

    /// The larger of two non-null values.
    func greatest(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MAX(\(a), \(b))" : "GREATEST(\(a), \(b))"
    }

    /// The smaller of two non-null values.
    func least(_ a: String, _ b: String) -> String {
        self == .sqlite ? "MIN(\(a), \(b))" : "LEAST(\(a), \(b))"
    }

    /// 1 when a condition holds, else 0, written the same on every engine (PostgreSQL does not add
    /// booleans to numbers).
    static func count(_ condition: String) -> String { "CASE WHEN \(condition) THEN 1 ELSE 0 END" }
}
