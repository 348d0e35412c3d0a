import CARPTypes
import CNetlink

/// A synchronous NETLINK_ROUTE command socket: queries links and addresses, creates and deletes
/// macvlans, changes link state and adds or removes addresses. Every call blocks until the
/// kernel's answer (or ACK) has arrived.
///
/// Not thread-safe (libnl objects are not): use one instance from one thread or actor. Keep it
/// separate from `RouteMonitor`, so that events never interleave with replies.
public final class RouteSocket {
    /// The `struct nl_sock *`; never leaves the module.
    let sock: OpaquePointer
    /// A second socket for batches (`perform`), opened on first use: libnl checks that the
    /// answers on `sock` come in the order of its own requests, and a batch's
    /// acknowledgements are read without it.
    var batchSock: OpaquePointer?

    /// Opens and connects the socket.
    public init() throws(NetlinkError) {
        guard let sk = nl_socket_alloc() else {
            throw NetlinkError(operation: "allocate route socket", code: NLE_NOMEM)
        }
        let rc = nl_connect(sk, NETLINK_ROUTE)
        if rc < 0 {
            nl_socket_free(sk)
            throw NetlinkError(operation: "connect route socket", code: rc)
        }
        sock = sk
        // Opened now rather than in a first takeover's claim (six system calls there).
        _ = try? batchSocket()
    }

    deinit {
        // nl_socket_free also closes the descriptor.
        nl_socket_free(sock)
        if let batchSock { nl_socket_free(batchSock) }
    }

    /// The connected batch socket.
    func batchSocket() throws(NetlinkError) -> OpaquePointer {
        if let batchSock { return batchSock }
        guard let sk = nl_socket_alloc() else { throw NetlinkError(operation: "allocate route socket", code: NLE_NOMEM) }
        var rc = nl_connect(sk, NETLINK_ROUTE)
        if rc >= 0 { rc = cnl_batch_socket_setup(sk, Self.batchQueueBytes, Self.batchTimeoutMilliseconds) }
        if rc < 0 {
            nl_socket_free(sk)
            throw NetlinkError(operation: "connect route socket", code: rc)
        }
        batchSock = sk
        return sk
    }

    /// After a batch that lost answers: the next one starts on a fresh socket.
    func discardBatchSocket() {
        if let batchSock { nl_socket_free(batchSock) }
        batchSock = nil
    }

    /// The batch socket's receive queue: a whole batch's acknowledgements (~1.3 KiB each as
    /// the kernel accounts them) with room to spare; the default 208 KiB dropped some of 128.
    static let batchQueueBytes: Int32 = 1 << 20
    /// How long a batch waits for its acknowledgements (they come within microseconds).
    static let batchTimeoutMilliseconds: Int32 = 2000

    /// The link called `named`, or nil if there is none.
    public func link(named name: String) throws(NetlinkError) -> LinkInfo? {
        try fetchLink(index: 0, name: name, operation: "get link \(name)").map { LinkInfo(rtnlLink: $0.raw) }
    }

    /// The link with ifindex `index`, or nil if there is none.
    public func link(index: Int32) throws(NetlinkError) -> LinkInfo? {
        guard index > 0 else { return nil }
        return try fetchLink(index: index, name: nil, operation: "get link ifindex \(index)")
            .map { LinkInfo(rtnlLink: $0.raw) }
    }

    /// All links in the current network namespace.
    public func links() throws(NetlinkError) -> [LinkInfo] {
        var cache: OpaquePointer?
        try nlCheck(rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache), "dump links")
        guard let cache else { throw NetlinkError(operation: "dump links", code: NLE_NOMEM) }
        let owned = CacheObject(owning: cache)
        var result: [LinkInfo] = []
        owned.forEach { result.append(LinkInfo(rtnlLink: $0)) }
        return result
    }

    /// Asks the kernel for one link by index (if > 0) or name. Nil when the kernel says it does
    /// not exist; any other failure throws.
    func fetchLink(index: Int32, name: String?, operation: @autoclosure () -> String)
        throws(NetlinkError) -> LinkObject?
    {
        if let name, !InterfaceName.isValid(name) { return nil }  // the kernel could not have it
        var raw: OpaquePointer?
        let rc = rtnl_link_get_kernel(sock, index, name, &raw)
        if rc < 0 {
            let error = NetlinkError(operation: operation(), code: rc)
            if error.isNoDevice { return nil }
            throw error
        }
        return raw.map { LinkObject(owning: $0) }
    }
}
