import CCarpShim
import Glibc
import Logging

/// Where carpd's messages go: stderr with `-d`, syslog (facility daemon) otherwise.
struct CarpdLogHandler: LogHandler {
    enum Sink: Sendable { case stderr, syslog }

    let sink: Sink
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch sink {
        case .stderr:
            let text = "carpd: \(event.message)\n"
            _ = text.withCString { Glibc.write(2, $0, strlen($0)) }
        case .syslog:
            carp_syslog(Self.priority(event.level), "\(event.message)")
        }
    }

    private static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: LOG_DEBUG
        case .info: LOG_INFO
        case .notice: LOG_NOTICE
        case .warning: LOG_WARNING
        case .error: LOG_ERR
        case .critical: LOG_CRIT
        }
    }

    static func bootstrap(_ sink: Sink) {
        // openlog keeps the ident pointer, so it must outlive the process: strdup it.
        if sink == .syslog { openlog(strdup("carpd"), LOG_PID, LOG_DAEMON) }
        LoggingSystem.bootstrap { _ in CarpdLogHandler(sink: sink) }
    }
}
