import ArgumentParser

/// A failed command: one line on stderr, exit status 1 (usage errors keep ArgumentParser's 64).
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
