import CCarpShim
import Glibc

/// The AF_PACKET socket that hears ARP requests and neighbour solicitations for the
/// addresses of balanced carp interfaces, whose multicast MAC no Linux interface can carry:
/// carpd answers them itself. A kernel filter passes only those two kinds of frame, and
/// passes none at all while `listening` is off (no balanced interface, no wake-ups). Its
/// multicast memberships (the group MAC, solicited-node groups) go when it closes, so a
/// carpd that dies stops taking the group's frames. Needs CAP_NET_RAW.
public final class NeighborSocket {
    public let descriptor: Int32
    public private(set) var listening = false
    private var buffer = [UInt8](repeating: 0, count: 2048)

    /// `requests`: the classic BPF program that passes the frames to answer.
    public init(requests: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)]) throws(SystemError) {
        descriptor = try openSocket(AF_PACKET, SOCK_RAW, Int32(UInt16(ETH_P_ALL).bigEndian), nonBlocking: true, "AF_PACKET")
        self.requests = requests
        do { try attach([(0x06, 0, 0, 0)]) } catch {
            closeDescriptor(descriptor)
            throw error
        }
    }

    private let requests: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)]

    deinit { closeDescriptor(descriptor) }

    /// Passes the requests (on) or nothing (off).
    public func listen(_ on: Bool) throws(SystemError) {
        guard on != listening else { return }
        try attach(on ? requests : [(0x06, 0, 0, 0)])
        listening = on
    }

    private func attach(_ program: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)]) throws(SystemError) {
        var filters = program.map { sock_filter(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        let rc = filters.withUnsafeMutableBufferPointer { buffer in
            var program = sock_fprog(len: UInt16(buffer.count), filter: buffer.baseAddress)
            return setsockopt(descriptor, SOL_SOCKET, SO_ATTACH_FILTER, &program, socklen_t(MemoryLayout<sock_fprog>.size))
        }
        if rc != 0 { throw SystemError.last("SO_ATTACH_FILTER") }
    }

    /// Receives frames sent to `mac` on `ifindex` (join), or stops (leave): a multicast
    /// group, or a unicast MAC added to the interface's filter (a NIC then takes frames for
    /// it without being promiscuous).
    public func membership(_ mac: [UInt8], ifindex: Int32, join: Bool) throws(SystemError) {
        try packetMembership(descriptor, mac: mac, ifindex: ifindex, join: join)
    }

    /// The next frame another host sent (not one of ours going out), with its interface; nil
    /// when none is waiting.
    public func receive() -> (frame: [UInt8], ifindex: Int32)? {
        while true {
            var link = sockaddr_ll()
            var length = socklen_t(MemoryLayout<sockaddr_ll>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &link) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        retryingOnInterrupt { recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, address, &length) }
                    }
                }
            }
            guard count > 0 else { return nil }
            if link.sll_pkttype == UInt8(PACKET_OUTGOING) { continue }
            return (Array(buffer[0..<count]), link.sll_ifindex)
        }
    }
}
