import CARPControl
import CCarpShim
import Glibc

/// One accepted control connection: the request read so far, then the reply still to send.
final class ControlConnection {
    let fd: Int32
    let peerUID: UInt32
    let acceptedAt: UInt64
    var input: [UInt8] = []
    var output: ArraySlice<UInt8> = []
    var replying = false
    /// Kept open after its reply to receive events (`subscribe=1`).
    var subscribed = false

    init(fd: Int32, peerUID: UInt32, acceptedAt: UInt64) {
        self.fd = fd
        self.peerUID = peerUID
        self.acceptedAt = acceptedAt
    }
}

extension ControlServer {
    /// Accepts pending connections and reads whatever is readable from open ones without ever blocking; for each
    /// connection whose request is complete (ends with "\n\n") calls handler(requestText, peerUID) and writes the
    /// returned reply, then closes it unless the reply keeps it open for `broadcast`. A request over
    /// `ControlFraming.maximumRequestLength` gets the reply from `oversize()` and is closed.
    /// Connection fds must also be registered with the reactor: use `register(with:)` which registers the listener
    /// and each accepted connection, unregistering them on close.
    ///
    /// `requestText` is the request up to and including its terminating empty line; bytes after it are ignored.
    /// The server keeps only a weak reference to `reactor`.
    /// - Throws: `SystemError` from registering the listener.
    public func register(with reactor: Reactor, handler: @escaping (String, UInt32) -> ControlReply,
                         oversize: @escaping () -> String) throws(SystemError) {
        guard listener >= 0 else { throw SystemError(operation: "register \(path)", errno: EBADF) }
        self.reactor = reactor
        self.handler = handler
        self.oversize = oversize
        try reactor.register(fd: listener) { [weak self] in self?.acceptPending() }
    }

    /// Accepts every queued connection and registers it; runs when the listener is readable.
    private func acceptPending() {
        while listener >= 0 {
            let fd = carp_accept_nonblocking(listener)
            if fd < 0 {
                let error = Glibc.errno
                // ECONNABORTED: that client gave up already; EINTR: retry. EAGAIN, EMFILE...: stop for now.
                if error == EINTR || error == ECONNABORTED { continue }
                return
            }
            adopt(fd)
        }
    }

    /// Starts serving the accepted socket `fd`, or closes it when it cannot be served.
    private func adopt(_ fd: Int32) {
        var uid: UInt32 = 0
        reapStaleConnections()
        guard carp_peer_uid(fd, &uid) == 0, connections.count < ControlServer.maximumConnections,
              let reactor else {
            closeDescriptor(fd)
            return
        }
        connections[fd] = ControlConnection(fd: fd, peerUID: uid, acceptedAt: MonotonicClock.now())
        do {
            try reactor.register(fd: fd) { [weak self] in self?.service(fd) }
        } catch {
            connections[fd] = nil
            closeDescriptor(fd)
        }
    }

    /// Closes connections accepted more than `connectionLifetime` ago.
    private func reapStaleConnections() {
        let now = MonotonicClock.now()
        for (fd, connection) in connections where !connection.subscribed && now - connection.acceptedAt > ControlServer.connectionLifetime {
            closeConnection(fd)
        }
    }

    /// Runs when connection `fd` is readable (or writable while a reply is pending).
    private func service(_ fd: Int32) {
        guard let connection = connections[fd] else { return }
        if connection.subscribed && !connection.replying {
            // A subscriber only listens: anything it sends is dropped, EOF ends it.
            var scratch: [UInt8] = []
            let count = ControlTransport.receiveSome(fd, into: &scratch)
            if count == 0 || (count < 0 && Glibc.errno != EAGAIN && Glibc.errno != EWOULDBLOCK) { closeConnection(fd) }
            return
        }
        if connection.replying {
            flush(connection)
        } else {
            readRequest(connection)
        }
    }

    /// Reads what is available; answers once the request is complete or too long.
    private func readRequest(_ connection: ControlConnection) {
        while true {
            let count = ControlTransport.receiveSome(connection.fd, into: &connection.input)
            if count < 0 && (Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK) { return }
            let limit = ControlFraming.maximumRequestLength
            if let end = ControlFraming.endOfMessage(connection.input), end <= limit {
                let request = String(decoding: connection.input[..<end], as: UTF8.self)
                let reply = handler?(request, connection.peerUID) ?? ControlReply("")
                connection.subscribed = reply.keepOpen
                answer(connection, reply.text)
                return
            }
            if connection.input.count > limit {
                answer(connection, oversize?() ?? "")
                return
            }
            // EOF before the empty line, or a read error: nothing to answer.
            if count <= 0 {
                closeConnection(connection.fd)
                return
            }
        }
    }

    /// Queues `reply` on `connection` and starts sending it.
    private func answer(_ connection: ControlConnection, _ reply: String) {
        // The handler may have closed the server (or this connection) meanwhile.
        guard connections[connection.fd] === connection else { return }
        connection.input = []
        connection.output = ArraySlice(reply.utf8)
        connection.replying = true
        flush(connection)
    }

    /// Sends as much of the reply as fits; closes when done or on error, else waits for writability.
    private func flush(_ connection: ControlConnection) {
        while !connection.output.isEmpty {
            let sent = ControlTransport.sendSome(connection.fd, connection.output)
            if sent < 0 {
                let wouldBlock = Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK
                if wouldBlock && waitUntilWritable(connection.fd) { return }
                break  // peer gone (EPIPE, ECONNRESET) or cannot wait: give up on this reply
            }
            connection.output = connection.output.dropFirst(sent)
        }
        if connection.subscribed && connection.output.isEmpty && connections[connection.fd] === connection {
            connection.replying = false
            do { try reactor?.setInterest(fd: connection.fd, readable: true, writable: false) } catch { closeConnection(connection.fd) }
            return
        }
        closeConnection(connection.fd)
    }

    /// Switches `fd` to wake on writability only (unread input must not spin the loop meanwhile).
    private func waitUntilWritable(_ fd: Int32) -> Bool {
        guard let reactor else { return false }
        do {
            try reactor.setInterest(fd: fd, readable: false, writable: true)
            return true
        } catch {
            return false
        }
    }

    /// Unregisters and closes connection `fd`.
    func closeConnection(_ fd: Int32) {
        guard connections.removeValue(forKey: fd) != nil else { return }
        reactor?.unregister(fd: fd)
        closeDescriptor(fd)
    }
}

extension ControlServer {
    /// Writes `text` to every subscriber without blocking. A subscriber that cannot take a
    /// whole event at once is too slow to follow: it is disconnected rather than let carpd wait.
    public func broadcast(_ text: String) {
        let bytes = Array(text.utf8)
        for connection in connections.values where connection.subscribed && !connection.replying {
            let sent = ControlTransport.sendSome(connection.fd, bytes[...])
            if sent != bytes.count { closeConnection(connection.fd) }
        }
    }
}
