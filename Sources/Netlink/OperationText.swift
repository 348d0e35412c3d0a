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
