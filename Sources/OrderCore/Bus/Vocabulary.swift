/// `ops`: the whole vocabulary as data, from which the fronts are generated and checked.
enum VocabularyCommands {
    static let all = [ops]

    static let ops = Command(
        "ops", .read,
        "Every op with its summary, role and arguments, and every error code (the fronts are generated from it)",
        arguments: [], result: ["ops", "errors", "envelope"]
    ) { _, f in
        try f.finish()
        return vocabulary
    }

    static let vocabulary: JSON = [
        "ops": .array(Command.all.map(\.json)),
        "errors": .array(ErrorCode.allCases.map(\.json)),
        "envelope": .array(Argument.envelope.sorted().map { .string($0) }),
    ]
}

extension ErrorCode {
    /// The code as `ops` lists it: the JSON code, the C return code and its name in ordercore.h.
    var json: JSON {
        [
            "code": .string(rawValue), "rc": .int(Int64(number)), "c_name": .string(cName), "summary": .string(summary),
            "when": .string(when),
        ]
    }
}
