import Foundation
import Glibc

/// `carpd [-dn] [-s socket]`: the entry point, kept apart so tests can call it.
public enum CarpdMain {
    public static func run(arguments: [String]) -> Int32 {
        let options: Options
        do {
            options = try Options.parse(arguments, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("carpd: \(error)\n\(Options.usage)")
            return 1
        }
        if options.checkOnly {
            // Boot configuration files come with the configuration reader; the options are all there is to check.
            return 0
        }
        CarpdLogHandler.bootstrap(options.foreground ? .stderr : .syslog)
        guard getuid() == 0 || geteuid() == 0 else {
            printError("carpd: must be run as root (CAP_NET_ADMIN and CAP_NET_RAW are needed)")
            return 1
        }
        do {
            let daemon = try Daemon(options: options)
            if !options.foreground { try daemonize() }
            try daemon.run()
            return 0
        } catch {
            printError("carpd: \(error)")
            return 1
        }
    }

    static func printError(_ text: String) {
        let line = text + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    /// Background mode: fork, new session, stdio to /dev/null.
    static func daemonize() throws {
        let pid = fork()
        if pid < 0 { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        if pid > 0 { exit(0) }
        _ = setsid()
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            for fd: Int32 in 0...2 { dup2(null, fd) }
            if null > 2 { close(null) }
        }
    }
}
