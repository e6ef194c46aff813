/// An error a test helper throws, carrying a message for the failing test's report.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
