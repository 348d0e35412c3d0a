import CARPControl
import CCarpShim
import Glibc

/// The client side of the control socket (used by the admin tools).
public enum ControlClient {
    /// Connects, writes `request` (which must end with "\n\n"), reads until the reply's empty line or EOF.
    /// Throws SystemError(operation: "connect \(path)", errno: ECONNREFUSED/ENOENT) when no server runs.
    ///
    /// Returns the reply up to and including its empty line (everything read, if the server closed first).
    /// `timeoutSeconds` bounds the whole exchange.
    /// - Throws: `SystemError` for `connect` as above (EACCES without permission), ETIMEDOUT for
    ///   "write \(path)" / "read \(path)" when the server does not finish in time, or other errno values.
    public static func exchange(path: String, request: String, timeoutSeconds: Int = 5) throws(SystemError) -> String {
        let deadline = MonotonicClock.now() + UInt64(max(timeoutSeconds, 0)) * 1_000_000_000
        let address = try ControlTransport.unixAddress(path, operation: "connect \(path)")
        let fd = try openSocket(AF_UNIX, SOCK_STREAM, 0, nonBlocking: true, "AF_UNIX")
        defer { closeDescriptor(fd) }
        try connect(fd, address, path: path, deadline: deadline)
        try writeRequest(fd, Array(request.utf8), path: path, deadline: deadline)
        return try readReply(fd, path: path, deadline: deadline)
    }

    /// Connects the non-blocking `fd`; a server with a full backlog is waited for until `deadline`.
    private static func connect(_ fd: Int32, _ address: sockaddr_un, path: String, deadline: UInt64) throws(SystemError) {
        while ControlTransport.withSockaddr(address, { Glibc.connect(fd, $0, $1) }) != 0 {
            let error = Glibc.errno
            if error == EINTR { continue }
            // A unix socket reports a full backlog as EAGAIN and is not "in progress": retry until the deadline.
            guard error == EAGAIN else { throw SystemError(operation: "connect \(path)", errno: error) }
            if MonotonicClock.now() >= deadline { throw SystemError(operation: "connect \(path)", errno: ETIMEDOUT) }
            usleep(10_000)
        }
    }

    /// Writes all of `bytes`. If the server hangs up early (EPIPE), stops: it may have replied anyway
    /// (the oversize reply is sent without reading the rest of the request).
    private static func writeRequest(_ fd: Int32, _ bytes: [UInt8], path: String, deadline: UInt64) throws(SystemError) {
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let sent = ControlTransport.sendSome(fd, remaining)
            if sent >= 0 {
                remaining = remaining.dropFirst(sent)
                continue
            }
            let error = Glibc.errno
            if error == EPIPE || error == ECONNRESET { return }
            guard error == EAGAIN || error == EWOULDBLOCK else { throw SystemError(operation: "write \(path)", errno: error) }
            try wait(fd, for: Int16(POLLOUT), operation: "write \(path)", deadline: deadline)
        }
    }

    /// Reads until the reply's empty line or EOF.
    private static func readReply(_ fd: Int32, path: String, deadline: UInt64) throws(SystemError) -> String {
        var reply: [UInt8] = []
        while true {
            if let end = ControlFraming.endOfMessage(reply) {
                return String(decoding: reply[..<end], as: UTF8.self)
            }
            let count = ControlTransport.receiveSome(fd, into: &reply)
            if count == 0 { break }
            if count < 0 {
                let error = Glibc.errno
                // ECONNRESET after a complete reply would have returned above; treat it like EOF.
                if error == ECONNRESET { break }
                guard error == EAGAIN || error == EWOULDBLOCK else { throw SystemError(operation: "read \(path)", errno: error) }
                try wait(fd, for: Int16(POLLIN), operation: "read \(path)", deadline: deadline)
            }
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// Polls `fd` for `events` until `deadline`; ETIMEDOUT for `operation` when it passes.
    private static func wait(_ fd: Int32, for events: Int16, operation: String, deadline: UInt64) throws(SystemError) {
        while true {
            let timeout = Reactor.timeoutMilliseconds(until: deadline, now: MonotonicClock.now())
            if timeout == 0 { throw SystemError(operation: operation, errno: ETIMEDOUT) }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready > 0 { return }
            if ready < 0 && Glibc.errno != EINTR { throw SystemError.last(operation) }
        }
    }
}
