/// A failure while a command runs (not a usage error): printed as one sentence after
/// `Error:`, without the usage text, and the exit status is 1. Usage errors stay
/// `ValidationError`s (exit status 64, with the usage).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
