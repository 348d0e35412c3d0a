import CARPTypes

/// carpd's command line: `carpd [-CdIn] [-f directory] [-m [address:]port] [-s socket]`.
struct Options: Equatable {
    static let defaultConfigDirectory = "/etc/carp"
    static let usage = "usage: carpd [-CdIn] [-f directory] [-m [address:]port] [-s socket]"

    /// -d: stay in the foreground and log to stderr.
    var foreground = false
    /// -n: check the configuration and exit.
    var checkOnly = false
    var socketPath = CarpdConventions.defaultSocket
    /// -f: hostname.if, rc.conf, sysctl.conf and notify.d/.
    var configDirectory = Options.defaultConfigDirectory
    /// -C: remove what a dead carpd left (macvlans, changed sysctls) and exit.
    var cleanup = false
    /// -I: OpenBSD's boot interlock: start with the carp group demoted by 128.
    var interlock = false
    /// -m: serve Prometheus metrics there (else rc.conf's carpd_metrics, else nowhere).
    var metrics: MetricsListen?

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
                case "C": options.cleanup = true
                case "I": options.interlock = true
                case "s", "f", "m":
                    var value = String(flags)
                    if value.isEmpty {
                        index += 1
                        guard index < arguments.count else { throw UsageError(message: "option requires an argument -- \(flag)") }
                        value = arguments[index]
                    }
                    switch flag {
                    case "s": options.socketPath = value
                    case "f": options.configDirectory = value
                    default:
                        switch MetricsListen.parse(value) {
                        case .success(let listen): options.metrics = listen
                        case .failure(let error): throw UsageError(message: "-m \(error)")
                        }
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

    /// The configuration as control requests, replayed at the next start (tmpfs: survives a
    /// restart of carpd, not a reboot, like a BSD kernel's runtime state).
    var statePath: String { runtimeDirectory + "/carpd.state" }
    /// The sysctl values carpd changed, with their originals, for restore after a crash.
    var savedSysctlsPath: String { runtimeDirectory + "/sysctl.saved" }
}
