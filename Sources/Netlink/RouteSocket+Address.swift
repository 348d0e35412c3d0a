import CARPTypes
import CNetlink

extension RouteSocket {
    /// All IPv4 and IPv6 addresses, or only those on `ifindex`.
    public func addresses(ifindex: Int32? = nil) throws(NetlinkError) -> [AddressInfo] {
        var cache: OpaquePointer?
        if let ifindex {
            // Only this interface's, filtered by the kernel (the filter below stays for
            // kernels that return them all).
            try nlCheck(cnl_addr_dump_ifindex(sock, ifindex, &cache), "dump addresses of \(interfaceLabel(ifindex))")
        } else {
            try nlCheck(rtnl_addr_alloc_cache(sock, &cache), "dump addresses")
        }
        guard let cache else { throw NetlinkError(operation: "dump addresses", code: NLE_NOMEM) }
        let owned = CacheObject(owning: cache)
        var result: [AddressInfo] = []
        owned.forEach { obj in
            guard let info = AddressInfo(rtnlAddr: obj) else { return }
            if let ifindex, info.ifindex != ifindex { return }
            result.append(info)
        }
        return result
    }

    /// Adds `prefix` on `ifindex`.
    ///
    /// `flags` are `IFA_F_*` values such as `AddressFlag.nodad` (IPv6 VIPs) and
    /// `AddressFlag.noPrefixRoute`. Throws `isExists` if the address is already there (NLM_F_EXCL).
    public func addAddress(ifindex: Int32, prefix: IPPrefix, flags: UInt32) throws(NetlinkError) {
        let operation = { "add \(prefix) on \(interfaceLabel(ifindex))" }
        let addr = try routeAddr(ifindex: ifindex, prefix: prefix, operation: operation)
        if flags != 0 {
            // Flags above 0xff go out in the IFA_FLAGS attribute; libnl handles that.
            rtnl_addr_set_flags(addr.raw, flags)
        }
        // rtnl_addr_add ORs in NLM_F_CREATE itself.
        try nlCheck(rtnl_addr_add(sock, addr.raw, NLM_F_EXCL), operation())
    }

    /// Removes `prefix` from `ifindex`. The prefix length must match the one the address was
    /// added with. Throws `isNoAddress` if it is not there (IPv6 addresses are
    /// flushed when a link goes down, so this is common after a down).
    public func deleteAddress(ifindex: Int32, prefix: IPPrefix) throws(NetlinkError) {
        let operation = { "delete \(prefix) from \(interfaceLabel(ifindex))" }
        let addr = try routeAddr(ifindex: ifindex, prefix: prefix, operation: operation)
        try nlCheck(rtnl_addr_delete(sock, addr.raw, 0), operation())
    }

    /// An rtnl_addr carrying ifindex, family, local address and prefix length: what the kernel
    /// needs to add an address or to find the one to delete.
    func routeAddr(ifindex: Int32, prefix: IPPrefix, operation: () -> String)
        throws(NetlinkError) -> RouteAddrObject
    {
        let bytes = prefix.address.bytes, prefixLength = prefix.length
        guard let family = addressFamily(byteCount: bytes.count), ifindex > 0,
            Int(prefixLength) <= bytes.count * 8
        else { throw nlInvalid(operation()) }
        let local = try BinaryAddrObject(family: family, bytes: bytes, operation: operation())
        nl_addr_set_prefixlen(local.raw, Int32(prefixLength))
        let addr = try RouteAddrObject(operation: operation())
        rtnl_addr_set_ifindex(addr.raw, ifindex)
        try nlCheck(rtnl_addr_set_local(addr.raw, local.raw), operation())  // also sets family
        rtnl_addr_set_prefixlen(addr.raw, Int32(prefixLength))
        return addr
    }
}

extension RouteSocket {
    /// One `ifconfig` change to a plain link.
    public func apply(_ change: LinkChange, ifindex: Int32) throws(NetlinkError) {
        switch change {
        case .setUp(let up): try setLink(index: ifindex, up: up)
        case .setMTU(let mtu): try setMTU(index: ifindex, mtu: mtu)
        case .setMAC(let mac): try setMAC(index: ifindex, mac: mac.bytes)
        case .addAddress(let prefix): try addAddress(ifindex: ifindex, prefix: prefix, flags: 0)
        case .deleteAddress(let prefix): try deleteAddress(ifindex: ifindex, prefix: prefix)
        }
    }
}
