import CARPTypes
import CNetlink

/// One IPv4 or IPv6 address as the kernel reported it (RTM_NEWADDR).
public struct AddressInfo: Equatable, Sendable {
    /// The interface the address is on.
    public var ifindex: Int32
    /// The local address (IFA_LOCAL, or IFA_ADDRESS if there is no IFA_LOCAL) and its prefix length.
    public var prefix: IPPrefix
    /// `IFA_F_*` flags (including those above 0xff, carried in IFA_FLAGS).
    public var flags: UInt32
    /// `RT_SCOPE_*`: 0 universe, 253 link, 254 host.
    public var scope: UInt8

    /// Creates an address record by hand (for tests and fakes).
    public init(ifindex: Int32, prefix: IPPrefix, flags: UInt32, scope: UInt8) {
        self.ifindex = ifindex
        self.prefix = prefix
        self.flags = flags
        self.scope = scope
    }
}

/// `IFA_F_*` flags accepted by `RouteSocket.addAddress`.
public enum AddressFlag {
    /// `IFA_F_NODAD`: skip IPv6 duplicate address detection (always use for IPv6 VIPs, otherwise a
    /// VIP still present on the peer ends up `dadfailed`).
    public static let nodad: UInt32 = 0x02
    /// `IFA_F_NOPREFIXROUTE`: do not add the connected route for the prefix.
    public static let noPrefixRoute: UInt32 = 0x200
}

extension AddressInfo {
    /// Reads a borrowed `struct rtnl_addr *`; nil unless it holds an IPv4 or IPv6 address.
    /// libnl already folds IFA_ADDRESS into "local" when the kernel sent no IFA_LOCAL (IPv6);
    /// the peer fallback only guards against odd messages.
    init?(rtnlAddr addr: OpaquePointer) {
        var local = bytesOf(nlAddr: rtnl_addr_get_local(addr))
        if local.isEmpty {
            local = bytesOf(nlAddr: rtnl_addr_get_peer(addr))
        }
        let family = Int32(rtnl_addr_get_family(addr))
        guard family == AF_INET || family == AF_INET6, let address = IPAddress(bytes: local) else { return nil }
        self.init(
            ifindex: Int32(rtnl_addr_get_ifindex(addr)),
            prefix: IPPrefix(address: address, length: UInt8(truncatingIfNeeded: rtnl_addr_get_prefixlen(addr))),
            flags: UInt32(rtnl_addr_get_flags(addr)),
            scope: UInt8(truncatingIfNeeded: rtnl_addr_get_scope(addr))
        )
    }

    /// IPv6 flags that make an address unusable as a source: tentative (0x40), dadfailed (0x08).
    public var isUsable: Bool { flags & 0x48 == 0 }
}
