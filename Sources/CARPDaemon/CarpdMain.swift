import Glibc
import LinuxHost

/// `carpd [-dn] [-s socket]`: the entry point, kept apart so tests can call it.
public enum CarpdMain {
    public static func run(arguments: [String]) -> Int32 {
        let options: Options
        do {
            options = try Options.parse(arguments, environment: getenv("CARPD_SOCKET").map { ["CARPD_SOCKET": String(cString: $0)] } ?? [:])
        } catch {
            printError("carpd: \(error)\n\(Options.usage)")
            return 1
        }
        if options.checkOnly {
            let problems = Node.check(options.configDirectory, files: LinuxFiles())
            for problem in problems { printError("carpd: \(problem)") }
            return problems.isEmpty ? 0 : 1
        }
        CarpdLogHandler.bootstrap(options.foreground || options.cleanup ? .stderr : .syslog)
        if options.cleanup { return Daemon.cleanup(options) }
        guard getuid() == 0 || geteuid() == 0 else {
            printError("carpd: must be run as root (CAP_NET_ADMIN and CAP_NET_RAW are needed)")
            return 1
        }
        do {
            let daemon = try Daemon(options: options)
            // Detach only once the socket is bound and the configuration read, so that
            // their errors still reach the terminal and the exit status.
            try daemon.run(detach: !options.foreground)
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
        if pid < 0 { throw SystemError(operation: "fork", errno: errno) }
        if pid > 0 { exit(0) }
        _ = setsid()
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            for fd: Int32 in 0...2 { dup2(null, fd) }
            if null > 2 { close(null) }
        }
    }
}
