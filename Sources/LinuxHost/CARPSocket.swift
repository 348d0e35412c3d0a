import CARPTypes
import CCarpShim
import Glibc

/// Raw IP sockets for protocol 112, one per family. Send socket: multicast loop OFF, multicast TTL/hops 255,
/// unicast TTL/hops 255, TOS/TCLASS set by setDSCP. Receive socket: IP_MULTICAST_ALL/IPV6_MULTICAST_ALL = 0,
/// IP_PKTINFO / IPV6_RECVPKTINFO + IPV6_RECVHOPLIMIT, non-blocking. NO IPV6_CHECKSUM (the CARP checksum
/// covers only the 36 CARP bytes, computed by the caller).
///
/// Both sockets are unbound: the receive socket hears the groups joined with `join(ifindex:)` on any of
/// those interfaces and reports the arrival interface; the send socket picks the egress interface per
/// datagram. Opening them needs CAP_NET_RAW.
///
/// The send socket opens with the first `send`: multicast advertisements leave as frames
/// (`FrameSocket`), so most nodes never need it, and every raw socket of protocol 112 costs the
/// kernel a copy of each CARP datagram that arrives.
public final class CARPSocket {
    /// The address family of both sockets.
    public enum Family: Sendable {
        case inet, inet6

        var domain: Int32 { self == .inet ? AF_INET : AF_INET6 }
        var label: String { self == .inet ? "AF_INET/112" : "AF_INET6/112" }
        var level: Int32 { self == .inet ? Int32(IPPROTO_IP) : Int32(IPPROTO_IPV6) }

        /// Multicast loop off, TTL / hop limit 255 for multicast and unicast.
        var sendOptions: [(name: Int32, value: Int32, label: String)] {
            switch self {
            case .inet: [(IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP"), (IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL"),
                         (IP_TTL, 255, "IP_TTL")]
            case .inet6: [(IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP"), (IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS"),
                          (IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS")]
            }
        }

        /// The option that carries DSCP << 2.
        var trafficClass: (name: Int32, label: String) { self == .inet ? (IP_TOS, "IP_TOS") : (IPV6_TCLASS, "IPV6_TCLASS") }
    }

    /// IANA protocol number of CARP (shared with VRRP).
    static let protocolNumber: Int32 = 112

    /// The family given at creation.
    public let family: Family
    /// -1 until the first `send` opens it.
    private(set) var sendFD: Int32 = -1
    let receiveFD: Int32
    /// TOS/TCLASS for the send socket (`setDSCP`), applied when it opens.
    private var dscp = 0
    /// Buffers of `receive()`, the datagrams its last `recvmmsg` read, and the next to hand out.
    let receiveMessages = MessageBatch(capacity: 64)
    var received: [ReceivedAdvertisement] = []
    var nextReceived = 0

    /// Receive queue for bursts: 255 vhids x two copies, ~2 KiB each as queued (the default
    /// ~208 KiB held about 100 advertisements).
    static let receiveBufferSize: Int32 = 2 << 20

    /// Opens and configures the receive socket for `family`.
    /// - Throws: `SystemError` from `socket` (EPERM without CAP_NET_RAW) or `setsockopt`.
    public init(family: Family) throws(SystemError) {
        self.family = family
        receiveFD = try openSocket(family.domain, SOCK_RAW, CARPSocket.protocolNumber, nonBlocking: true, family.label)
        receiveMessages.prepareForReceive()
        do throws(SystemError) {
            try configureReceive()
        } catch {
            closeDescriptor(receiveFD)
            throw error
        }
    }

    deinit {
        if sendFD >= 0 { closeDescriptor(sendFD) }
        closeDescriptor(receiveFD)
    }

    /// The receive socket, to register with a `Reactor`; readable while datagrams are queued.
    public var receiveDescriptor: Int32 { receiveFD }

    /// The send socket, opened and configured on first use.
    /// - Throws: `SystemError` from `socket` or `setsockopt`.
    func sendDescriptor() throws(SystemError) -> Int32 {
        if sendFD >= 0 { return sendFD }
        let fd = try openSocket(family.domain, SOCK_RAW, CARPSocket.protocolNumber, nonBlocking: true, family.label)
        do throws(SystemError) {
            try configureSend(fd)
        } catch {
            closeDescriptor(fd)
            throw error
        }
        sendFD = fd
        return fd
    }

    private func configureSend(_ fd: Int32) throws(SystemError) {
        // A raw socket gets a copy of every protocol-112 datagram; the send socket must not queue them.
        if carp_attach_drop_all_filter(fd) != 0 { throw SystemError.last("setsockopt SO_ATTACH_FILTER") }
        for option in family.sendOptions {
            try setSocketOption(fd, family.level, option.name, option.value, option.label)
        }
        try setSocketOption(fd, family.level, family.trafficClass.name, Int32(dscp << 2), family.trafficClass.label)
    }

    private func configureReceive() throws(SystemError) {
        let on: Int32 = 1, off: Int32 = 0
        // A master of 255 vhids bows out of all of them at once (or re-advertises them after a
        // demotion): with the default ~208 KiB the peer's queue overflowed and two thirds of
        // the bow-outs were lost, so those vhids waited for master-down. FORCE (CAP_NET_ADMIN)
        // passes net.core.rmem_max; without it the kernel caps the plain option there.
        if (try? setSocketOption(receiveFD, SOL_SOCKET, SO_RCVBUFFORCE, Self.receiveBufferSize, "SO_RCVBUFFORCE")) == nil {
            try setSocketOption(receiveFD, SOL_SOCKET, SO_RCVBUF, Self.receiveBufferSize, "SO_RCVBUF")
        }
        // The kernel's receive time: the protocol's timers run from a packet's arrival,
        // not from when carpd got to it (a wake-up later, or a burst's last).
        try setSocketOption(receiveFD, SOL_SOCKET, SO_TIMESTAMPNS, on, "SO_TIMESTAMPNS")
        switch family {
        case .inet:
            let ip = Int32(IPPROTO_IP)
            // Only groups this socket joined, not those other sockets on the host joined.
            try setSocketOption(receiveFD, ip, IP_MULTICAST_ALL, off, "IP_MULTICAST_ALL")
            try setSocketOption(receiveFD, ip, IP_PKTINFO, on, "IP_PKTINFO")
        case .inet6:
            let ipv6 = Int32(IPPROTO_IPV6)
            try setSocketOption(receiveFD, ipv6, IPV6_MULTICAST_ALL, off, "IPV6_MULTICAST_ALL")
            try setSocketOption(receiveFD, ipv6, IPV6_RECVPKTINFO, on, "IPV6_RECVPKTINFO")
            try setSocketOption(receiveFD, ipv6, IPV6_RECVHOPLIMIT, on, "IPV6_RECVHOPLIMIT")
        }
    }

    /// Sets the DSCP of sent datagrams: TOS/TCLASS = dscp << 2 (FreeBSD's default is 56, i.e. 0xE0).
    /// - Throws: `SystemError` EINVAL for a value outside 0...63, or from `setsockopt`.
    public func setDSCP(_ dscp: Int) throws(SystemError) {
        guard (0...63).contains(dscp) else { throw invalidArgument("setDSCP \(dscp)") }
        self.dscp = dscp
        guard sendFD >= 0 else { return }
        try setSocketOption(sendFD, family.level, family.trafficClass.name, Int32(dscp << 2), family.trafficClass.label)
    }

    /// Joins 224.0.0.18 or ff02::12 on interface `ifindex` (the receive socket only hears groups joined
    /// on the arrival interface). Joining twice is not an error.
    /// - Throws: `SystemError` from `setsockopt` (ENODEV for an unknown interface).
    public func join(ifindex: Int32) throws(SystemError) {
        do throws(SystemError) {
            switch family {
            case .inet:
                var request = ip_mreqn()
                request.imr_multiaddr = makeInAddr(IPv4Address.carpGroup.bytes)
                request.imr_ifindex = ifindex
                try setSocketOption(receiveFD, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, request, "IP_ADD_MEMBERSHIP ifindex \(ifindex)")
            case .inet6:
                var request = ipv6_mreq()
                request.ipv6mr_multiaddr = makeIn6Addr(IPv6Address.carpGroup.bytes)
                request.ipv6mr_interface = UInt32(bitPattern: ifindex)
                try setSocketOption(receiveFD, Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, request, "IPV6_ADD_MEMBERSHIP ifindex \(ifindex)")
            }
        } catch where error.errno == EADDRINUSE {
            return  // already a member on that interface
        }
    }
}
