import CARPControl
import CCarpShim
import Glibc

/// Unix stream control socket: one request per connection, request ends with an empty line ("\n\n").
///
/// Everything runs on the reactor thread and never blocks: connections are read as data arrives, a
/// reply that does not fit the socket buffer at once is finished when the socket becomes writable.
/// Authorization is the handler's job, based on the peer uid from SO_PEERCRED.
public final class ControlServer {
    /// Open connections beyond this are closed at once (after stale ones are reaped).
    static let maximumConnections = 64
    /// A connection still open this long after accept (10 s) is closed when the next one arrives,
    /// so idle local clients cannot hold connection slots forever.
    static let connectionLifetime: UInt64 = 10_000_000_000

    let path: String
    var listener: Int32
    var connections: [Int32: ControlConnection] = [:]
    weak var reactor: Reactor?
    var handler: ((String, UInt32) -> ControlReply)?
    var oversize: (() -> String)?

    /// Creates the socket's directory (mode 0755) if missing, removes a stale socket file (connect refused) but
    /// refuses (SystemError EADDRINUSE) if another server answers on it; socket mode 0666 (authorization is by peer uid).
    /// - Throws: `SystemError` ENAMETOOLONG for a path over 107 bytes, EADDRINUSE as above (also when the
    ///   path exists and is not a socket), otherwise from `mkdir`, `socket`, `bind`, `chmod` or `listen`.
    public init(path: String) throws(SystemError) {
        self.path = path
        listener = try ControlServer.openListener(path: path)
    }

    deinit {
        close()
    }

    /// The listening socket, non-blocking.
    public var fileDescriptor: Int32 { listener }

    /// Closes everything and unlinks the socket path. Safe to call more than once, and from a handler
    /// (the reply that handler returns is then dropped: its connection is already closed).
    public func close() {
        for fd in connections.keys { closeConnection(fd) }
        handler = nil  // the closures may capture the server: release them to break the cycle
        oversize = nil
        guard listener >= 0 else { return }
        reactor?.unregister(fd: listener)
        closeDescriptor(listener)
        listener = -1
        unlink(path)
    }

    private static func openListener(path: String) throws(SystemError) -> Int32 {
        let address = try ControlTransport.unixAddress(path, operation: "bind \(path)")
        try createDirectory(containing: path)
        let fd = try openSocket(AF_UNIX, SOCK_STREAM, 0, nonBlocking: true, "AF_UNIX")
        do throws(SystemError) {
            try bindReclaimingStale(fd, address, path: path)
            // Everyone may connect; the handler decides by peer uid what each may do.
            if chmod(path, 0o666) != 0 { throw SystemError.last("chmod \(path)") }
            if listen(fd, 16) != 0 { throw SystemError.last("listen \(path)") }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// Binds `fd` to `path`; a socket file left by a dead server is removed and the bind retried.
    private static func bindReclaimingStale(_ fd: Int32, _ address: sockaddr_un, path: String) throws(SystemError) {
        if ControlTransport.withSockaddr(address, { bind(fd, $0, $1) }) == 0 { return }
        guard Glibc.errno == EADDRINUSE else { throw SystemError.last("bind \(path)") }
        try removeStaleSocket(address, path: path)
        if ControlTransport.withSockaddr(address, { bind(fd, $0, $1) }) != 0 {
            throw SystemError.last("bind \(path)")
        }
    }

    /// Unlinks `path` if it is a socket nobody listens on; EADDRINUSE if a server answers or the
    /// file is not a socket (never delete what is not ours to delete).
    private static func removeStaleSocket(_ address: sockaddr_un, path: String) throws(SystemError) {
        var status = stat()
        if lstat(path, &status) != 0 {
            if Glibc.errno == ENOENT { return }  // vanished meanwhile: just bind again
            throw SystemError.last("lstat \(path)")
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw SystemError(operation: "bind \(path)", errno: EADDRINUSE)
        }
        // Non-blocking probe: a live server with a full backlog answers EAGAIN instead of stalling us.
        let probe = try openSocket(AF_UNIX, SOCK_STREAM, 0, nonBlocking: true, "AF_UNIX")
        defer { closeDescriptor(probe) }
        let connected = ControlTransport.withSockaddr(address) { connect(probe, $0, $1) }
        let probeError = Glibc.errno
        guard connected != 0, probeError == ECONNREFUSED || probeError == ENOENT else {
            throw SystemError(operation: "bind \(path)", errno: EADDRINUSE)
        }
        if unlink(path) != 0 && Glibc.errno != ENOENT { throw SystemError.last("unlink \(path)") }
    }

    /// Creates the directories leading to `path` (like `mkdir -p`), each new one with mode 0755.
    private static func createDirectory(containing path: String) throws(SystemError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path[..<slash].split(separator: "/") {
            prefix += prefix.isEmpty || prefix.hasSuffix("/") ? String(component) : "/" + component
            if mkdir(prefix, 0o755) == 0 {
                _ = chmod(prefix, 0o755)  // mkdir's mode is filtered by the umask
            } else if Glibc.errno != EEXIST {
                throw SystemError.last("mkdir \(prefix)")
            }
        }
    }
}
