import CCarpShim
import Glibc

/// One protocol-112 datagram as read from a `CARPSocket`, with the header fields CARP validates.
public struct ReceivedAdvertisement: Sendable {
    /// The bytes after the IP header(s) (IPv4: strip ihl*4; IPv6 raw sockets give payload only).
    public var payload: [UInt8]
    /// IPv4 header TTL, or IPv6 hop limit from IPV6_HOPLIMIT cmsg; -1 if unknown.
    public var ttl: Int
    /// Source address, 4 or 16 bytes.
    public var source: [UInt8]
    /// Destination address, 4 or 16 bytes (IPv4 header dst / IPV6_PKTINFO ipi6_addr).
    public var destination: [UInt8]
    /// Arrival interface (IP_PKTINFO / IPV6_PKTINFO); 0 if unknown.
    public var ifindex: Int32
    /// IPv4 datagram shorter than its own header / ihl < 5 (count as hdrops); `payload` is then empty.
    public var headerTruncated: Bool
    /// How long before it was read the kernel received it (SO_TIMESTAMPNS), in ns; nil if
    /// the kernel gave no time.
    public var age: UInt64?

    /// Creates a value directly (for tests and simulated input).
    public init(payload: [UInt8], ttl: Int, source: [UInt8], destination: [UInt8], ifindex: Int32,
                headerTruncated: Bool = false) {
        self.payload = payload
        self.ttl = ttl
        self.source = source
        self.destination = destination
        self.ifindex = ifindex
        self.headerTruncated = headerTruncated
    }
}

/// What the ancillary data of one datagram said.
struct ReceiveMetadata {
    var ifindex: Int32 = 0
    var hopLimit = -1
    var destination: [UInt8] = []
    /// When the kernel received it (CLOCK_REALTIME, ns).
    var arrival: UInt64?
}

extension CARPSocket {
    /// Reads one pending datagram, nil when it would block.
    ///
    /// Datagrams come from the kernel up to 64 at a time (one `recvmmsg`) and are handed out
    /// in order. Read errors also return nil (the socket stays registered and is retried on
    /// the next readiness). A datagram longer than 256 bytes (never CARP) is cut short.
    public func receive() -> ReceivedAdvertisement? {
        if nextReceived == received.count { receiveBatch() }
        guard nextReceived < received.count else { return nil }
        nextReceived += 1
        return received[nextReceived - 1]
    }

    private func receiveBatch() {
        received.removeAll(keepingCapacity: true)
        nextReceived = 0
        let count = retryingOnInterrupt {
            carp_recvmmsg(receiveFD, receiveMessages.headers, UInt32(receiveMessages.capacity), Int32(MSG_DONTWAIT))
        }
        defer { receiveMessages.prepareForReceive(max(Int(count), 1)) }  // what the kernel touched
        guard count > 0 else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let read = UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
        for index in 0..<Int(count) {
            let metadata = CARPSocket.parseControl(&receiveMessages.headers[index].msg_hdr)
            let datagram = receiveMessages.received(index), peer = receiveMessages.sender(index)
            var advertisement = switch family {
            case .inet: CARPSocket.decodeInet(datagram, peer: peer, metadata: metadata)
            case .inet6: CARPSocket.decodeInet6(datagram, peer: peer, metadata: metadata)
            }
            // A clock stepped back in between gives no age rather than a wrong one.
            advertisement.age = metadata.arrival.flatMap { $0 <= read ? read - $0 : nil }
            received.append(advertisement)
        }
    }

    /// Walks the control messages of a received datagram (IP_PKTINFO, IPV6_PKTINFO, IPV6_HOPLIMIT).
    private static func parseControl(_ message: inout msghdr) -> ReceiveMetadata {
        var metadata = ReceiveMetadata()
        var current = carp_cmsg_firsthdr(&message)
        while let header = current {
            let data = UnsafeRawPointer(carp_cmsg_data(header)!)
            let length = header.pointee.cmsg_len - carp_cmsg_len(0)
            switch (header.pointee.cmsg_level, header.pointee.cmsg_type) {
            case (Int32(IPPROTO_IP), IP_PKTINFO) where length >= MemoryLayout<in_pktinfo>.size:
                let info = data.loadUnaligned(as: in_pktinfo.self)
                metadata.ifindex = info.ipi_ifindex
                metadata.destination = addressBytes(info.ipi_addr)
            case (Int32(IPPROTO_IPV6), IPV6_PKTINFO) where length >= MemoryLayout<carp_in6_pktinfo>.size:
                let info = data.loadUnaligned(as: carp_in6_pktinfo.self)
                metadata.ifindex = Int32(bitPattern: info.ipi6_ifindex)
                metadata.destination = addressBytes(info.ipi6_addr)
            case (Int32(IPPROTO_IPV6), IPV6_HOPLIMIT) where length >= MemoryLayout<Int32>.size:
                metadata.hopLimit = Int(data.loadUnaligned(as: Int32.self))
            case (SOL_SOCKET, SO_TIMESTAMPNS) where length >= MemoryLayout<timespec>.size:
                let time = data.loadUnaligned(as: timespec.self)
                metadata.arrival = UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
            default:
                break
            }
            current = carp_cmsg_nxthdr(&message, header)
        }
        return metadata
    }

    /// IPv4 raw sockets deliver the whole datagram: take TTL, source and destination from the header.
    static func decodeInet(_ datagram: [UInt8], peer: sockaddr_storage,
                           metadata: ReceiveMetadata) -> ReceivedAdvertisement {
        let peerAddress = withUnsafeBytes(of: peer) { $0.loadUnaligned(as: sockaddr_in.self) }
        var result = ReceivedAdvertisement(
            payload: [], ttl: datagram.count > 8 ? Int(datagram[8]) : -1,
            source: addressBytes(peerAddress.sin_addr), destination: metadata.destination,
            ifindex: metadata.ifindex, headerTruncated: true)
        let headerLength = Int((datagram.first ?? 0) & 0x0F) * 4
        guard datagram.count >= 20, headerLength >= 20, datagram.count >= headerLength else { return result }
        result.source = Array(datagram[12..<16])
        result.destination = Array(datagram[16..<20])
        result.payload = Array(datagram[headerLength...])
        result.headerTruncated = false
        return result
    }

    /// IPv6 raw sockets deliver only the payload: the rest comes from msg_name and the cmsgs.
    static func decodeInet6(_ datagram: [UInt8], peer: sockaddr_storage,
                            metadata: ReceiveMetadata) -> ReceivedAdvertisement {
        let peerAddress = withUnsafeBytes(of: peer) { $0.loadUnaligned(as: sockaddr_in6.self) }
        return ReceivedAdvertisement(
            payload: datagram, ttl: metadata.hopLimit, source: addressBytes(peerAddress.sin6_addr),
            destination: metadata.destination, ifindex: metadata.ifindex)
    }
}
