import AttribCLI

/// The `attrib` executable: the command tree, run asynchronously (every subcommand that waits
/// on the network or on other tasks is an `AsyncParsableCommand`).
@main
struct Attrib {
    static func main() async {
        await AttribCommand.main()
    }
}
