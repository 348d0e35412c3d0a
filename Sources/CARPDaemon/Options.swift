/// carpd's command line: `carpd [-dn] [-s socket]`.
struct Options: Equatable {
    static let defaultSocket = "/run/carpd/carpd.sock"
    static let usage = "usage: carpd [-dn] [-s socket]"

    /// -d: stay in the foreground and log to stderr.
    var foreground = false
    /// -n: check the configuration and exit.
    var checkOnly = false
    var socketPath = Options.defaultSocket

    struct UsageError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// BSD getopt style: flags may be grouped (`-dn`), `-s` takes the next word or the rest of its own.
    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Options {
        var options = Options()
        if let path = environment["CARPD_SOCKET"], !path.isEmpty { options.socketPath = path }
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            guard word.hasPrefix("-"), word.count > 1 else { throw UsageError(message: "unexpected argument '\(word)'") }
            var flags = Substring(word.dropFirst())
            while let flag = flags.first {
                flags = flags.dropFirst()
                switch flag {
                case "d": options.foreground = true
                case "n": options.checkOnly = true
                case "s":
                    if !flags.isEmpty {
                        options.socketPath = String(flags)
                    } else {
                        index += 1
                        guard index < arguments.count else { throw UsageError(message: "option requires an argument -- s") }
                        options.socketPath = arguments[index]
                    }
                    flags = ""
                default:
                    throw UsageError(message: "unknown option -- \(flag)")
                }
            }
            index += 1
        }
        guard options.socketPath.hasPrefix("/") else {
            throw UsageError(message: "\(options.socketPath): socket path must be absolute")
        }
        return options
    }

    /// Every runtime file lives beside the socket, so one path isolates one instance.
    var runtimeDirectory: String {
        let parts = socketPath.split(separator: "/", omittingEmptySubsequences: false)
        let dir = parts.dropLast().joined(separator: "/")
        return dir.isEmpty ? "/" : dir
    }
}
