import CCarpShim
import Glibc

extension CARPSocket {
    /// Sends `payload` as the IP payload to `destination` (4/16 bytes), out interface `ifindex`, with source
    /// address `source` (IP_PKTINFO ipi_spec_dst / IPV6_PKTINFO ipi6_addr) when given. For IPv6 link-scoped
    /// destinations set sin6_scope_id = ifindex. Returns nothing; throws SystemError with the errno on failure.
    ///
    /// The kernel builds the IP header (TTL/hop limit 255, TOS from `setDSCP`). Without `source` it picks
    /// the source address itself, which is the VIP once the VIP sits on the egress interface.
    /// - Throws: `SystemError` EINVAL for addresses of the wrong length; from opening the send socket
    ///   on first use; otherwise from `sendmsg` (EAGAIN when the send buffer is full,
    ///   EADDRNOTAVAIL/EINVAL for an unusable source, ENETDOWN...).
    public func send(_ payload: [UInt8], to destination: [UInt8], ifindex: Int32, source: [UInt8]?) throws(SystemError) {
        switch family {
        case .inet:
            guard destination.count == 4, source == nil || source?.count == 4 else {
                throw invalidArgument("sendmsg: IPv4 addresses must be 4 bytes")
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr = makeInAddr(destination)
            var info = in_pktinfo()
            info.ipi_ifindex = ifindex                         // egress interface for this datagram
            if let source { info.ipi_spec_dst = makeInAddr(source) }  // source address of the IP header
            try sendMessage(payload, to: address, level: Int32(IPPROTO_IP), type: IP_PKTINFO, info: info,
                            label: "sendmsg to \(formatAddress(destination)) ifindex \(ifindex)")
        case .inet6:
            guard destination.count == 16, source == nil || source?.count == 16 else {
                throw invalidArgument("sendmsg: IPv6 addresses must be 16 bytes")
            }
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = makeIn6Addr(destination)
            if isLinkScopedIPv6(destination) { address.sin6_scope_id = UInt32(bitPattern: ifindex) }
            var info = carp_in6_pktinfo()
            info.ipi6_ifindex = UInt32(bitPattern: ifindex)
            if let source { info.ipi6_addr = makeIn6Addr(source) }  // :: lets the kernel choose
            try sendMessage(payload, to: address, level: Int32(IPPROTO_IPV6), type: IPV6_PKTINFO, info: info,
                            label: "sendmsg to \(formatAddress(destination)) ifindex \(ifindex)")
        }
    }

    /// One `sendmsg` of `payload` to `address` with a single control message (`level`, `type`, `info`).
    private func sendMessage<Address, Info>(
        _ payload: [UInt8], to address: Address, level: Int32, type: Int32, info: Info, label: @autoclosure () -> String
    ) throws(SystemError) {
        let sendFD = try sendDescriptor()
        var address = address
        let controlLength = carp_cmsg_space(MemoryLayout<Info>.size)
        var control = [UInt64](repeating: 0, count: (controlLength + 7) / 8)  // 8-byte aligned for cmsghdr
        var payload = payload
        let sent = payload.withUnsafeMutableBytes { payloadBytes in
            withUnsafeMutableBytes(of: &address) { addressBytes in
                control.withUnsafeMutableBytes { controlBytes in
                    var vector = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_name = addressBytes.baseAddress
                        message.msg_namelen = socklen_t(addressBytes.count)
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlLength
                        guard let header = carp_cmsg_firsthdr(&message) else {
                            preconditionFailure("control buffer too small for one cmsg")
                        }
                        header.pointee.cmsg_level = level
                        header.pointee.cmsg_type = type
                        header.pointee.cmsg_len = carp_cmsg_len(MemoryLayout<Info>.size)
                        withUnsafeBytes(of: info) { infoBytes in
                            UnsafeMutableRawPointer(carp_cmsg_data(header)!).copyMemory(
                                from: infoBytes.baseAddress!, byteCount: infoBytes.count)
                        }
                        return retryingOnInterrupt { sendmsg(sendFD, &message, 0) }
                    }
                }
            }
        }
        // The label is formatted only on failure: hundreds of vhids advertise every second.
        if sent < 0 {
            let code = Glibc.errno
            throw SystemError(operation: label(), errno: code)
        }
    }
}
