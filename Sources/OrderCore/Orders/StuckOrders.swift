extension CommandContext {
    /// Per state with a limit: an order entered before the cutoff has stayed too long.
    func stuckCutoffs() throws -> [(state: OrderState, cutoff: Int64)] {
        let limits = try value(of: .stateLimitHours).objectValue ?? JSONObject()
        return limits.pairs.compactMap { key, limit in
            guard let state = OrderState(rawValue: key), let millis = Setting.stateLimitMillis(limit) else {
                return nil
            }
            return (state, at - millis)
        }.sorted { $0.state.rawValue < $1.state.rawValue }
    }
}
