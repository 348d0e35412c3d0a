import CARPTypes
import CNetlink

/// One change carpd makes to its macvlans while the protocol runs: many of them go to the
/// kernel in one batch (`RouteSocket.perform`).
public enum RouteRequest: Hashable, Sendable {
    case setUp(ifindex: Int32, Bool)
    /// `flags`: `AddressFlag` values (IPv6 VIPs: nodad; VIPs the carpdev routes: noprefixroute).
    case addAddress(ifindex: Int32, IPPrefix, flags: UInt32)
    case deleteAddress(ifindex: Int32, IPPrefix)

    /// For error messages, built only on failure.
    var operation: String {
        switch self {
        case .setUp(let index, let up): "set \(interfaceLabel(index)) \(up ? "up" : "down")"
        case .addAddress(let index, let prefix, _): "add \(prefix) on \(interfaceLabel(index))"
        case .deleteAddress(let index, let prefix): "delete \(prefix) from \(interfaceLabel(index))"
        }
    }
}

extension RouteSocket {
    /// Requests per sendmsg: their acknowledgements must fit the socket's receive queue.
    static let batchLimit = 64

    /// Sends `requests` in order, as few batches as `batchLimit` allows (a takeover of 255
    /// vhids is ~765 requests: 6 system calls instead of 1,530), and returns each one's
    /// error, nil for success. The kernel goes on after a failed request.
    public func perform(_ requests: [RouteRequest]) -> [NetlinkError?] {
        var results: [NetlinkError?] = []
        results.reserveCapacity(requests.count)
        var start = 0
        while start < requests.count {
            let chunk = requests[start..<min(start + Self.batchLimit, requests.count)]
            results += performBatch(Array(chunk))
            start += chunk.count
        }
        return results
    }

    private func performBatch(_ requests: [RouteRequest]) -> [NetlinkError?] {
        var messages: [OpaquePointer?] = []
        var results = [NetlinkError?](repeating: nil, count: requests.count)
        var sent: [Int] = []  // indexes of the requests that became messages
        defer { for message in messages { nlmsg_free(message) } }
        for (index, request) in requests.enumerated() {
            do {
                messages.append(try message(for: request))
                sent.append(index)
            } catch {
                results[index] = error
            }
        }
        var codes = [Int32](repeating: 0, count: messages.count)
        let rc: Int32
        do {
            let batch = try batchSocket()
            rc = messages.withUnsafeMutableBufferPointer { m in
                codes.withUnsafeMutableBufferPointer { c in cnl_send_batch(batch, m.baseAddress, Int32(m.count), c.baseAddress) }
            }
        } catch {
            rc = -error.code
            codes = codes.map { _ in -NLE_FAILURE }
        }
        // Answers missing: the changes may or may not have happened, and late answers would
        // confuse the next batch. Reported as failures (a claim or release is retried).
        if rc < 0 { discardBatchSocket() }
        for (position, index) in sent.enumerated() {
            // Unanswered when the batch as a whole failed: that failure is the reason.
            let code = codes[position] == -NLE_FAILURE && rc < 0 ? rc : codes[position]
            if code < 0 { results[index] = NetlinkError(operation: requests[index].operation, code: code) }
        }
        return results
    }

    /// The netlink message of one request, ready for `cnl_send_batch`.
    private func message(for request: RouteRequest) throws(NetlinkError) -> OpaquePointer {
        var message: OpaquePointer?
        switch request {
        case .setUp(let index, let up):
            let target = try LinkObject(index: index, operation: request.operation)
            let change = try LinkObject(operation: request.operation)
            if up { rtnl_link_set_flags(change.raw, UInt32(IFF_UP)) } else { rtnl_link_unset_flags(change.raw, UInt32(IFF_UP)) }
            try nlCheck(rtnl_link_build_change_request(target.raw, change.raw, 0, &message), request.operation)
        case .addAddress(let index, let prefix, let flags):
            let addr = try routeAddr(ifindex: index, prefix: prefix, operation: { request.operation })
            if flags != 0 { rtnl_addr_set_flags(addr.raw, flags) }
            try nlCheck(rtnl_addr_build_add_request(addr.raw, NLM_F_EXCL, &message), request.operation)
        case .deleteAddress(let index, let prefix):
            let addr = try routeAddr(ifindex: index, prefix: prefix, operation: { request.operation })
            try nlCheck(rtnl_addr_build_delete_request(addr.raw, 0, &message), request.operation)
        }
        guard let message else { throw NetlinkError(operation: request.operation, code: NLE_NOMEM) }
        return message
    }
}
