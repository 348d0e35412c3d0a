#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNetlink

/// A non-blocking NETLINK_ROUTE event socket subscribed to link and IPv4/IPv6 address changes
/// (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR).
///
/// It does not decode events: it only tells the caller that something changed, and the caller
/// re-reads the state it cares about through a `RouteSocket`. Poll `fileDescriptor` for
/// readability (poll/epoll/DispatchSource), then call `drain()`.
///
/// Not thread-safe: use from one thread or actor.
public final class RouteMonitor {
    /// The `struct nl_sock *`; never leaves the module.
    private let sock: OpaquePointer

    /// Requested receive buffer: bursts (many VIPs flushed at a link down) must not overflow it.
    private static let receiveBufferBytes: Int32 = 1 << 20

    /// Upper bound on datagrams read per `drain()`, so a flood cannot pin the caller; the
    /// descriptor stays readable and the next poll round continues.
    private static let maxReadsPerDrain = 4096

    /// Opens the socket, joins the groups, makes it non-blocking and enlarges its receive buffer.
    public init() throws(NetlinkError) {
        guard let sk = nl_socket_alloc() else {
            throw NetlinkError(operation: "allocate route monitor", code: NLE_NOMEM)
        }
        do {
            try Self.configure(sk)
        } catch {
            nl_socket_free(sk)
            throw error
        }
        sock = sk
    }

    deinit {
        nl_socket_free(sock)
    }

    /// The socket's descriptor, to wait on for readability. Owned by this object.
    public var fileDescriptor: Int32 { nl_socket_get_fd(sock) }

    /// Reads every pending message without blocking.
    ///
    /// Returns true if anything arrived, or if the socket overflowed (ENOBUFS, reported by libnl
    /// as `-NLE_NOMEM`): events were lost, so the caller must re-read the state it cares about.
    public func drain() -> Bool {
        var changed = false
        for _ in 0..<Self.maxReadsPerDrain {
            let rc = nl_recvmsgs_default(sock)
            if rc >= 0 {
                changed = true  // one datagram read and dispatched
            } else if rc == -NLE_NOMEM {
                changed = true  // overrun: reading on is fine, but events are gone
            } else if rc == -NLE_INTR {
                continue
            } else {
                break  // -NLE_AGAIN: nothing left; anything else: try again on the next poll
            }
        }
        return changed
    }

    /// Connects, subscribes and tunes a freshly allocated socket.
    private static func configure(_ sk: OpaquePointer) throws(NetlinkError) {
        // Events are unsolicited (sequence 0); libnl's default sequence check would drop them.
        nl_socket_disable_seq_check(sk)
        try nlCheck(nl_connect(sk, NETLINK_ROUTE), "connect route monitor")
        let groups = [RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR]
        for group in groups {
            // nl_socket_add_memberships() is variadic and not callable from Swift: one at a time.
            try nlCheck(nl_socket_add_membership(sk, Int32(group.rawValue)), "join rtnetlink group \(group.rawValue)")
        }
        try nlCheck(nl_socket_set_nonblocking(sk), "make route monitor non-blocking")
        try setReceiveBuffer(sk)
    }

    /// SO_RCVBUFFORCE (root / CAP_NET_ADMIN) ignores net.core.rmem_max; without the privilege
    /// fall back to the plain setting, which the kernel caps at rmem_max.
    private static func setReceiveBuffer(_ sk: OpaquePointer) throws(NetlinkError) {
        var size = receiveBufferBytes
        let fd = nl_socket_get_fd(sk)
        let forced = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        if forced == 0 { return }
        try nlCheck(nl_socket_set_buffer_size(sk, receiveBufferBytes, 0), "set route monitor buffer size")
    }
}
