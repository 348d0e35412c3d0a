import CCarpShim
import Glibc

/// One carpd per network namespace. A second one would fight the first over the same links:
/// its start removes every macvlan a carpd made there (they are known by their alias, not by
/// their owner). The lock is an abstract unix socket: the kernel scopes its name to the
/// network namespace and frees it when the holder dies, even by SIGKILL, so nothing stale is
/// ever left to clean up. The holder answers a connection with who it is, so that a refusal
/// can name it.
public final class InstanceLock {
    /// The name, shown by `ss -xl` as `@bsd-carp/carpd`.
    static let name = "bsd-carp/carpd"
    /// How long a refused start waits for the holder to say who it is.
    static let answerTimeoutMilliseconds: Int32 = 1000

    public enum Outcome {
        case acquired(InstanceLock)
        /// Another process holds it; what it said about itself (nil: it did not answer).
        case held(by: String?)
    }

    /// The listening socket (non-blocking, close-on-exec: no child inherits the lock).
    public private(set) var fileDescriptor: Int32

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit {
        if fileDescriptor >= 0 { closeDescriptor(fileDescriptor) }
    }

    /// Takes the lock, or says who holds it.
    /// - Throws: `SystemError` from `socket`, or from `bind`/`listen` for another reason than
    ///   the name being taken.
    public static func acquire() throws(SystemError) -> Outcome {
        // Twice: a holder that dies between our bind and our connect frees the name.
        for _ in 0..<2 {
            let fd = try openSocket(AF_UNIX, SOCK_STREAM, 0, nonBlocking: true, "AF_UNIX")
            if withAddress({ bind(fd, $0, $1) }) == 0 {
                guard listen(fd, 4) == 0 else {
                    let error = SystemError.last("listen @\(name)")
                    closeDescriptor(fd)
                    throw error
                }
                return .acquired(InstanceLock(fileDescriptor: fd))
            }
            let error = SystemError.last("bind @\(name)")
            closeDescriptor(fd)
            guard error.errno == EADDRINUSE else { throw error }
            switch askHolder() {
            case .answered(let text): return .held(by: text)
            case .silent: return .held(by: nil)
            case .gone: continue
            }
        }
        return .held(by: nil)
    }

    /// Answers every waiting connection with `text` (the holder's pid and socket, say).
    public func answer(_ text: String) {
        while true {
            let connection = carp_accept_nonblocking(fileDescriptor)
            guard connection >= 0 else { return }
            let line = Array((text + "\n").utf8)
            _ = line.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            closeDescriptor(connection)
        }
    }

    private enum Reply { case answered(String), silent, gone }

    /// Connects to the holder and reads its one line, waiting at most a second.
    private static func askHolder() -> Reply {
        guard let fd = try? openSocket(AF_UNIX, SOCK_STREAM, 0, nonBlocking: false, "AF_UNIX") else { return .silent }
        defer { closeDescriptor(fd) }
        guard withAddress({ connect(fd, $0, $1) }) == 0 else { return errno == ECONNREFUSED ? .gone : .silent }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while text.count < 1024 {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, answerTimeoutMilliseconds) > 0 else { break }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            text += chunk[0..<count]
        }
        let line = String(decoding: text, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? .silent : .answered(line)
    }

    /// Runs `call` with the abstract address: a NUL, then the name, and a length that ends
    /// there (the name is not NUL-terminated).
    private static func withAddress(_ call: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = [0] + Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        return withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, length) }
        }
    }
}
