import CARPTypes
import CCarpShim
import Glibc

/// carpd's Prometheus endpoint: a TCP listener on the reactor, never blocking. Each client
/// gets `headTimeout` to send its request head and `replyTimeout` in all to take the reply;
/// one that is slower, sends garbage or finds `maximumConnections` open is dropped, so a
/// scraper can never hold the loop that sends advertisements (HTTPExchange does the HTTP).
public final class MetricsServer {
    static let maximumConnections = 16
    static let headTimeout: UInt64 = 2_000_000_000
    static let replyTimeout: UInt64 = 10_000_000_000

    final class Client {
        let fd: Int32
        let acceptedAt: UInt64
        var input: [UInt8] = []
        var output: ArraySlice<UInt8>?

        init(fd: Int32, acceptedAt: UInt64) {
            self.fd = fd
            self.acceptedAt = acceptedAt
        }

        var deadline: UInt64 { acceptedAt + (output == nil ? MetricsServer.headTimeout : MetricsServer.replyTimeout) }
    }

    /// Why clients were let go before their reply was sent, for the metrics themselves.
    public private(set) var dropped: [String: UInt64] = ["timeout": 0, "limit": 0]
    /// Replies sent, by status.
    public private(set) var replies: [Int: UInt64] = [:]

    public let listen: MetricsListen
    var listener: Int32
    var clients: [Int32: Client] = [:]
    weak var reactor: Reactor?
    var timer: Reactor.Timer?
    var body: (() -> String)?

    /// Binds and listens. - Throws: `SystemError` (EADDRINUSE, EADDRNOTAVAIL, EACCES...).
    public init(listen: MetricsListen) throws(SystemError) {
        self.listen = listen
        let family = listen.address.family == .inet ? AF_INET : AF_INET6
        let fd = try openSocket(family, SOCK_STREAM, 0, nonBlocking: true, "metrics")
        do throws(SystemError) {
            // A restarted carpd binds again while the last run's connections are in TIME_WAIT.
            try setSocketOption(fd, SOL_SOCKET, SO_REUSEADDR, Int32(1), "SO_REUSEADDR")
            if bindTCP(fd, listen) != 0 { throw SystemError.last("bind \(listen)") }
            if Glibc.listen(fd, 16) != 0 { throw SystemError.last("listen \(listen)") }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        listener = fd
    }

    deinit { close() }

    /// Serves `body()` on /metrics from now on.
    public func register(with reactor: Reactor, body: @escaping () -> String) throws(SystemError) {
        self.reactor = reactor
        self.body = body
        timer = reactor.addTimer { [weak self] in self?.dropLate() }
        try reactor.register(fd: listener) { [weak self] in self?.acceptPending() }
    }

    public func close() {
        for fd in clients.keys { drop(fd) }
        body = nil
        timer?.deadline = nil
        guard listener >= 0 else { return }
        reactor?.unregister(fd: listener)
        closeDescriptor(listener)
        listener = -1
    }

    private func acceptPending() {
        while listener >= 0 {
            let fd = carp_accept_nonblocking(listener)
            if fd < 0 {
                if Glibc.errno == EINTR || Glibc.errno == ECONNABORTED { continue }
                break
            }
            guard clients.count < Self.maximumConnections, let reactor,
                  (try? reactor.register(fd: fd, { [weak self] in self?.service(fd) })) != nil else {
                dropped["limit", default: 0] += 1
                closeDescriptor(fd)
                continue
            }
            clients[fd] = Client(fd: fd, acceptedAt: MonotonicClock.now())
        }
        rearm()
    }

    /// Readable while the head comes in, writable while the reply goes out.
    private func service(_ fd: Int32) {
        guard let client = clients[fd] else { return }
        if client.output == nil {
            let count = ControlTransport.receiveSome(fd, into: &client.input)
            if count == 0 || (count < 0 && Glibc.errno != EAGAIN && Glibc.errno != EWOULDBLOCK) { return drop(fd) }
            switch HTTPExchange.step(client.input, path: "/metrics", body: { body?() ?? "" }) {
            case .needMore: return
            case .answer(let bytes, let status):
                replies[status, default: 0] += 1
                client.input = []
                client.output = bytes[...]
            }
        }
        flush(client)
        rearm()
    }

    private func flush(_ client: Client) {
        while var output = client.output, !output.isEmpty {
            let sent = ControlTransport.sendSome(client.fd, output)
            if sent < 0 {
                guard Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK,
                      (try? reactor?.setInterest(fd: client.fd, readable: false, writable: true)) != nil else { break }
                return
            }
            output = output.dropFirst(sent)
            client.output = output
        }
        // Sent (or the client is gone): half-close so the client reads to the end, then close.
        shutdown(client.fd, Int32(SHUT_WR))
        drop(client.fd)
    }

    private func dropLate() {
        let now = MonotonicClock.now()
        for (fd, client) in clients where client.deadline <= now {
            dropped["timeout", default: 0] += 1
            drop(fd)
        }
        rearm()
    }

    private func rearm() { timer?.deadline = clients.values.map(\.deadline).min() }

    private func drop(_ fd: Int32) {
        guard clients.removeValue(forKey: fd) != nil else { return }
        reactor?.unregister(fd: fd)
        closeDescriptor(fd)
    }
}

/// bind(2) for a TCP listener on `listen`.
private func bindTCP(_ fd: Int32, _ listen: MetricsListen) -> Int32 {
    switch listen.address {
    case .v4:
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = listen.port.bigEndian
        address.sin_addr = makeInAddr(listen.address.bytes)
        return bindSockaddr(fd, address)
    case .v6:
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = listen.port.bigEndian
        address.sin6_addr = makeIn6Addr(listen.address.bytes)
        return bindSockaddr(fd, address)
    }
}

private func bindSockaddr<Address>(_ fd: Int32, _ address: Address) -> Int32 {
    withUnsafePointer(to: address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
    }
}
