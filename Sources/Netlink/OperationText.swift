#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNetlink

// Human-readable texts for NetlinkError.operation, e.g. "add 192.0.2.10/32 on vh1-eth0".
// Only built when an operation fails.

/// The interface's current name, or "ifindex N" if the kernel no longer knows it.
func interfaceLabel(_ index: Int32) -> String {
    guard index > 0 else { return "ifindex \(index)" }
    var buf = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
    let name: String? = buf.withUnsafeMutableBufferPointer { p in
        guard if_indextoname(UInt32(index), p.baseAddress) != nil else { return nil }
        return String(cString: p.baseAddress!)
    }
    return name ?? "ifindex \(index)"
}

/// The address family implied by a raw address length (4 → AF_INET, 16 → AF_INET6).
func addressFamily(byteCount: Int) -> Int32? {
    switch byteCount {
    case 4: return AF_INET
    case 16: return AF_INET6
    default: return nil
    }
}

/// Dotted-quad or RFC 5952 text for 4- or 16-byte addresses, hex bytes for anything else.
func addressText(_ bytes: [UInt8]) -> String {
    guard let family = addressFamily(byteCount: bytes.count) else {
        return bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
    var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    let text: String? = bytes.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { dst in
            guard inet_ntop(family, src.baseAddress, dst.baseAddress, socklen_t(dst.count)) != nil else {
                return nil
            }
            return String(cString: dst.baseAddress!)
        }
    }
    return text ?? "?"
}

/// "192.0.2.10/32".
func prefixText(_ bytes: [UInt8], _ prefixLength: UInt8) -> String {
    "\(addressText(bytes))/\(prefixLength)"
}

/// "00:00:5e:00:01:01".
func macText(_ mac: [UInt8]) -> String {
    mac.map { byte in
        let hex = String(byte, radix: 16)
        return byte < 0x10 ? "0" + hex : hex
    }.joined(separator: ":")
}
