import CCarpShim
import Glibc

/// AF_PACKET send-only socket (protocol 0) for announcements from the virtual MAC.
///
/// The kernel announces nothing when an address is added (arp_notify fires only on link up,
/// ndisc_notify only after DAD, which VIPs skip), so the new master sends these frames itself,
/// as FreeBSD's carp_master_down does. Protocol 0 means the socket receives nothing. Needs CAP_NET_RAW.
public final class NeighborAnnouncer {
    private let descriptor: Int32

    /// Opens the packet socket.
    /// - Throws: `SystemError` from `socket` (EPERM without CAP_NET_RAW).
    public init() throws(SystemError) {
        descriptor = try openSocket(AF_PACKET, SOCK_RAW, 0, nonBlocking: true, "AF_PACKET")
    }

    deinit {
        closeDescriptor(descriptor)
    }

    /// Gratuitous ARP request: eth dst ff:ff:ff:ff:ff:ff, eth src = mac, SHA = mac, SPA = TPA = address, THA = ff..ff, padded to 60 bytes.
    /// - Throws: `SystemError` EINVAL unless `mac` has 6 bytes and `address` 4; otherwise from `sendto`
    ///   (ENXIO/ENODEV for a missing interface, ENETDOWN when it is down).
    public func sendGratuitousARP(ifindex: Int32, mac: [UInt8], address: [UInt8]) throws(SystemError) {
        guard mac.count == 6, address.count == 4 else {
            throw invalidArgument("sendGratuitousARP: mac must be 6 bytes and address 4")
        }
        let frame = NeighborFrames.gratuitousARP(mac: mac, address: address)
        try sendFrame(frame, ifindex: ifindex, etherType: NeighborFrames.etherTypeARP,
                      destination: NeighborFrames.broadcastMAC, label: "gratuitous ARP for \(formatAddress(address))")
    }

    /// Unsolicited NA to ff02::1 (eth 33:33:00:00:00:01), src = address, hop limit 255, Override flag (+Router if router),
    /// target = address, option TLLA = mac; ICMPv6 checksum with the IPv6 pseudo-header.
    /// - Throws: `SystemError` EINVAL unless `mac` has 6 bytes and `address` 16; otherwise from `sendto`.
    public func sendUnsolicitedNA(ifindex: Int32, mac: [UInt8], address: [UInt8], router: Bool) throws(SystemError) {
        guard mac.count == 6, address.count == 16 else {
            throw invalidArgument("sendUnsolicitedNA: mac must be 6 bytes and address 16")
        }
        let frame = NeighborFrames.unsolicitedNA(mac: mac, address: address, router: router)
        try sendFrame(frame, ifindex: ifindex, etherType: NeighborFrames.etherTypeIPv6,
                      destination: NeighborFrames.allNodesMAC, label: "neighbor advertisement for \(formatAddress(address))")
    }

    /// Sends a complete Ethernet frame out `ifindex`.
    private func sendFrame(_ frame: [UInt8], ifindex: Int32, etherType: UInt16, destination: [UInt8],
                           label: String) throws(SystemError) {
        var link = sockaddr_ll()
        link.sll_family = UInt16(AF_PACKET)
        link.sll_protocol = etherType.bigEndian
        link.sll_ifindex = ifindex
        link.sll_halen = 6
        withUnsafeMutableBytes(of: &link.sll_addr) { $0.copyBytes(from: destination) }
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
        if sent < 0 { throw SystemError.last("sendto \(label) ifindex \(ifindex)") }
    }
}
