import CCarpShim
import Glibc

/// AF_PACKET send-only socket (protocol 0) for whole frames from the virtual MAC: multicast
/// advertisements and the gratuitous ARP / unsolicited NA of a new master (built by
/// CARPCore's `AdvertisementFrame` and `NeighborFrames`). Protocol 0 means the socket
/// receives nothing. Needs CAP_NET_RAW.
public final class FrameSocket {
    private let descriptor: Int32
    private let batch = MessageBatch(capacity: 64)

    /// Opens the packet socket.
    /// - Throws: `SystemError` from `socket` (EPERM without CAP_NET_RAW).
    public init() throws(SystemError) {
        descriptor = try openSocket(AF_PACKET, SOCK_RAW, 0, nonBlocking: true, "AF_PACKET")
    }

    deinit {
        closeDescriptor(descriptor)
    }

    /// Keeps `mac` in `ifindex`'s unicast filter (or lets it go), for as long as this socket
    /// lives: the NIC then takes frames for it whether or not a macvlan with that MAC is up.
    public func holdUnicast(_ mac: [UInt8], ifindex: Int32, _ hold: Bool) throws(SystemError) {
        try packetMembership(descriptor, mac: mac, ifindex: ifindex, join: hold)
    }

    /// Sends a complete Ethernet frame (destination, source, EtherType, payload) out `ifindex`.
    /// - Throws: `SystemError` EINVAL for a frame shorter than its Ethernet header; otherwise
    ///   from `sendto` (ENXIO/ENODEV for a missing interface, ENETDOWN when it is down).
    public func send(_ frame: [UInt8], ifindex: Int32, label: @autoclosure () -> String) throws(SystemError) {
        guard frame.count >= 14 else { throw invalidArgument("send: a frame needs an Ethernet header") }
        var link = Self.linkAddress(of: frame, ifindex: ifindex)
        let sent = frame.withUnsafeBytes { frameBytes in
            withUnsafePointer(to: &link) { linkPointer in
                linkPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    retryingOnInterrupt {
                        sendto(descriptor, frameBytes.baseAddress, frameBytes.count, 0, address,
                               socklen_t(MemoryLayout<sockaddr_ll>.size))
                    }
                }
            }
        }
        // The label is formatted only on failure (hundreds of vhids advertise every second).
        if sent < 0 {
            let code = Glibc.errno
            throw SystemError(operation: "sendto \(label()) ifindex \(ifindex)", errno: code)
        }
    }

    /// Sends `frames` in order with as few `sendmmsg` calls as it takes (one per 64), and
    /// returns for each frame nil when it went out, else its error.
    public func send(_ frames: [OutgoingFrame]) -> [SystemError?] {
        var results = [SystemError?](repeating: nil, count: frames.count)
        var start = 0
        while start < frames.count {
            let count = min(frames.count - start, batch.capacity)
            let fits = frames[start..<(start + count)].allSatisfy { $0.frame.count >= 14 && $0.frame.count <= MessageBatch.dataLength }
            var sent = 0
            if fits {
                for index in 0..<count {
                    let outgoing = frames[start + index]
                    batch.prepareForSend(index, payload: outgoing.frame, name: Self.linkAddress(of: outgoing.frame, ifindex: outgoing.ifindex))
                }
                sent = Int(retryingOnInterrupt { carp_sendmmsg(descriptor, batch.headers, UInt32(count), 0) })
            }
            if sent > 0 {
                start += sent
                continue
            }
            // sendmmsg reports no error once one frame went out, and fails as a whole when the
            // first cannot: send that one alone to learn its error, then go on after it.
            do throws(SystemError) {
                try send(frames[start].frame, ifindex: frames[start].ifindex, label: "frame")
            } catch {
                results[start] = error
            }
            start += 1
        }
        return results
    }

    /// The packet socket address for `frame` (at least 14 bytes): its destination MAC and EtherType.
    private static func linkAddress(of frame: [UInt8], ifindex: Int32) -> sockaddr_ll {
        var link = sockaddr_ll()
        link.sll_family = UInt16(AF_PACKET)
        link.sll_protocol = (UInt16(frame[12]) << 8 | UInt16(frame[13])).bigEndian
        link.sll_ifindex = ifindex
        link.sll_halen = 6
        withUnsafeMutableBytes(of: &link.sll_addr) { address in
            for index in 0..<6 { address[index] = frame[index] }
        }
        return link
    }
}

/// One frame for `FrameSocket.send(_:)` and the interface it leaves from.
public struct OutgoingFrame: Sendable {
    public var frame: [UInt8]
    public var ifindex: Int32

    public init(frame: [UInt8], ifindex: Int32) {
        self.frame = frame
        self.ifindex = ifindex
    }
}
