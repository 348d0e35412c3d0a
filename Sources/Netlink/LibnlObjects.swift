import CNetlink

// Every libnl struct pointer imports as the same `OpaquePointer`, so the compiler would accept an
// rtnl_addr where an rtnl_link is expected. Each kind gets its own owning wrapper that releases
// its reference in deinit. None of these leave the module.

/// An owned `struct rtnl_link *`.
final class LinkObject {
    let raw: OpaquePointer

    /// Takes over a reference the caller already holds (e.g. from `rtnl_link_get_kernel`).
    init(owning raw: OpaquePointer) { self.raw = raw }

    /// A fresh, empty link object (`rtnl_link_alloc`).
    convenience init(operation: @autoclosure () -> String) throws(NetlinkError) {
        guard let p = rtnl_link_alloc() else {
            throw NetlinkError(operation: operation(), code: NLE_NOMEM)
        }
        self.init(owning: p)
    }

    /// An empty link object that only carries an ifindex: enough to address change/delete requests.
    convenience init(index: Int32, operation: @autoclosure () -> String) throws(NetlinkError) {
        try self.init(operation: operation())
        rtnl_link_set_ifindex(raw, index)
    }

    deinit { rtnl_link_put(raw) }
}

/// An owned `struct rtnl_addr *`.
final class RouteAddrObject {
    let raw: OpaquePointer

    init(operation: @autoclosure () -> String) throws(NetlinkError) {
        guard let p = rtnl_addr_alloc() else {
            throw NetlinkError(operation: operation(), code: NLE_NOMEM)
        }
        raw = p
    }

    deinit { rtnl_addr_put(raw) }
}

/// An owned `struct nl_addr *` (a binary address plus prefix length).
final class BinaryAddrObject {
    let raw: OpaquePointer

    /// Builds an address of `family` (AF_INET, AF_INET6, AF_LLC) from raw bytes.
    init(family: Int32, bytes: [UInt8], operation: @autoclosure () -> String) throws(NetlinkError) {
        var copy = bytes
        let p = copy.withUnsafeMutableBytes { buf in
            nl_addr_build(family, buf.baseAddress, buf.count)
        }
        guard let p else { throw NetlinkError(operation: operation(), code: NLE_NOMEM) }
        raw = p
    }

    deinit { nl_addr_put(raw) }
}

/// An owned `struct nl_cache *`, iterated without taking references (the cache keeps its objects).
final class CacheObject {
    let raw: OpaquePointer

    init(owning raw: OpaquePointer) { self.raw = raw }

    /// Calls `body` with each object in the cache; the pointer is only valid during the call.
    func forEach(_ body: (OpaquePointer) -> Void) {
        var obj = nl_cache_get_first(raw)
        while let current = obj {
            body(current)
            obj = nl_cache_get_next(current)
        }
    }

    deinit { nl_cache_free(raw) }
}

/// Copies the bytes of a borrowed `struct nl_addr *`; empty for nil or zero-length addresses.
func bytesOf(nlAddr: OpaquePointer?) -> [UInt8] {
    guard let nlAddr, let base = nl_addr_get_binary_addr(nlAddr) else { return [] }
    let count = Int(nl_addr_get_len(nlAddr))
    let bytes = UnsafeRawBufferPointer(start: base, count: count)
    return Array(bytes)
}
