import CCarpShim
import Glibc

// Small helpers shared by the socket types: option setting and address conversion.

/// `setsockopt` with a plain value (an `int`, a struct such as `ip_mreqn`).
func setSocketOption<Value>(
    _ fd: Int32, _ level: Int32, _ name: Int32, _ value: Value, _ label: String
) throws(SystemError) {
    let status = withUnsafeBytes(of: value) { bytes in
        setsockopt(fd, level, name, bytes.baseAddress, socklen_t(bytes.count))
    }
    if status != 0 { throw SystemError.last("setsockopt \(label)") }
}

/// Opens a socket with close-on-exec (and non-blocking when asked) set atomically.
func openSocket(
    _ domain: Int32, _ type: __socket_type, _ proto: Int32, nonBlocking: Bool, _ label: String
) throws(SystemError) -> Int32 {
    var flags = Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    if nonBlocking { flags |= Int32(SOCK_NONBLOCK.rawValue) }
    let fd = socket(domain, flags, proto)
    if fd < 0 { throw SystemError.last("socket \(label)") }
    return fd
}

/// The 4 bytes as an `in_addr` (already in network order, as on the wire).
func makeInAddr(_ bytes: [UInt8]) -> in_addr {
    var address = in_addr()
    withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(4)) }
    return address
}

/// The 16 bytes as an `in6_addr`.
func makeIn6Addr(_ bytes: [UInt8]) -> in6_addr {
    var address = in6_addr()
    withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(16)) }
    return address
}

/// The raw bytes of an address struct (`in_addr` → 4 bytes, `in6_addr` → 16 bytes).
func addressBytes<Address>(_ address: Address) -> [UInt8] {
    withUnsafeBytes(of: address) { Array($0) }
}

/// Whether an IPv6 address needs a scope id: link-local unicast (fe80::/10) or interface-/link-local
/// multicast (ff01::/16, ff02::/16 and their flagged variants).
func isLinkScopedIPv6(_ bytes: [UInt8]) -> Bool {
    guard bytes.count == 16 else { return false }
    if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }
    return bytes[0] == 0xFF && bytes[1] & 0x0F <= 2
}

/// A `SystemError` with EINVAL for arguments rejected before any system call.
func invalidArgument(_ operation: String) -> SystemError {
    SystemError(operation: operation, errno: EINVAL)
}

/// Text form of a 4- or 16-byte address ("192.0.2.1", "ff02::12") for error messages and logs.
func formatAddress(_ bytes: [UInt8]) -> String {
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let ok: Bool
    switch bytes.count {
    case 4:
        var address = makeInAddr(bytes)
        ok = inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
    case 16:
        var address = makeIn6Addr(bytes)
        ok = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
    default:
        ok = false
    }
    guard ok else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP of `mac` on `ifindex` for a packet socket:
/// a multicast group, or a unicast MAC in the interface's filter. The kernel counts them per
/// socket and drops a socket's own when it closes.
func packetMembership(_ descriptor: Int32, mac: [UInt8], ifindex: Int32, join: Bool) throws(SystemError) {
    var request = packet_mreq()
    request.mr_ifindex = ifindex
    request.mr_type = UInt16(mac.first.map { $0 & 1 == 1 } ?? true ? PACKET_MR_MULTICAST : PACKET_MR_UNICAST)
    request.mr_alen = 6
    withUnsafeMutableBytes(of: &request.mr_address) { address in
        for (index, byte) in mac.prefix(6).enumerated() { address[index] = byte }
    }
    let option = join ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP
    if setsockopt(descriptor, SOL_PACKET, option, &request, socklen_t(MemoryLayout<packet_mreq>.size)) != 0 {
        throw SystemError.last("\(join ? "PACKET_ADD_MEMBERSHIP" : "PACKET_DROP_MEMBERSHIP") ifindex \(ifindex)")
    }
}
