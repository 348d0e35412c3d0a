/// The answers of a balanced carp interface to ARP requests and neighbour solicitations:
/// its MAC is a multicast one (01:00:5e:00:01:<lowest vhid>), which no Linux interface may
/// carry, so carpd answers for its addresses itself, from the carpdev's own MAC (a frame
/// from a multicast source is dropped by bridges) with the group's MAC as the answer.
public enum NeighborReplies {
    /// What a request asks: who has `target`, and where the answer goes.
    public struct Request: Equatable, Sendable {
        public var target: IPAddress
        /// The requester's MAC (ARP sender hardware address; NS source link-layer option, or
        /// the frame's source when there is none).
        public var requesterMAC: [UInt8]
        /// The requester's address (ARP sender protocol address; NS source, :: for DAD).
        public var requester: IPAddress
    }

    /// An ARP request (Ethernet, IPv4) or an ICMPv6 neighbour solicitation with hop limit
    /// 255, from one Ethernet frame; nil for anything else or anything malformed.
    public static func request(in frame: [UInt8]) -> Request? {
        guard frame.count >= 14 else { return nil }
        let type = UInt16(frame[12]) << 8 | UInt16(frame[13])
        if type == NeighborFrames.etherTypeARP { return arpRequest(frame) }
        if type == AdvertisementFrame.etherTypeIPv6 { return solicitation(frame) }
        return nil
    }

    private static func arpRequest(_ frame: [UInt8]) -> Request? {
        guard frame.count >= 42, frame[14...21].elementsEqual([0, 1, 8, 0, 6, 4, 0, 1]),
              let target = IPAddress(bytes: Array(frame[38..<42])), let sender = IPAddress(bytes: Array(frame[28..<32])) else { return nil }
        return Request(target: target, requesterMAC: Array(frame[22..<28]), requester: sender)
    }

    private static func solicitation(_ frame: [UInt8]) -> Request? {
        // No extension headers (NS carries none), ICMPv6, hop limit 255, type 135 code 0.
        guard frame.count >= 14 + 40 + 24, frame[14] >> 4 == 6, frame[20] == 58, frame[21] == 255,
              frame[54] == 135, frame[55] == 0,
              let source = IPAddress(bytes: Array(frame[22..<38])), let target = IPAddress(bytes: Array(frame[62..<78])) else { return nil }
        var mac = Array(frame[6..<12])
        var offset = 78
        while offset + 8 <= frame.count, frame[offset + 1] > 0 {
            let length = Int(frame[offset + 1]) * 8
            if frame[offset] == 1, length == 8 { mac = Array(frame[offset + 2..<offset + 8]) }
            offset += length
        }
        return Request(target: target, requesterMAC: mac, requester: source)
    }

    /// The ARP reply: from `source` (the carpdev's MAC) to the requester, saying that
    /// `request.target` is at `answer`.
    public static func arpReply(to request: Request, answer: [UInt8], source: [UInt8]) -> [UInt8]? {
        guard answer.count == 6, source.count == 6, case .v4(let target) = request.target, case .v4(let asker) = request.requester else { return nil }
        var frame = AdvertisementFrame.ethernet(destination: request.requesterMAC, source: source, etherType: NeighborFrames.etherTypeARP)
        frame += [0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02]  // Ethernet, IPv4, lengths, reply
        frame += answer + target.bytes
        frame += request.requesterMAC + asker.bytes
        frame += [UInt8](repeating: 0, count: max(0, NeighborFrames.minimumFrameLength - frame.count))
        return frame
    }

    /// The solicited neighbour advertisement (Solicited and Override set) from the target
    /// address, with `answer` as its target link-layer address; to all nodes for a DAD probe.
    public static func advertisement(to request: Request, answer: [UInt8], source: [UInt8], router: Bool) -> [UInt8]? {
        guard answer.count == 6, source.count == 6, case .v6(let target) = request.target, case .v6(let asker) = request.requester else { return nil }
        let dad = asker.bytes.allSatisfy { $0 == 0 }
        let destination = dad ? NeighborFrames.allNodes : asker.bytes
        var message: [UInt8] = [136, 0, 0, 0]
        message += [(router ? 0x80 : 0) | (dad ? 0 : 0x40) | 0x20, 0, 0, 0]
        message += target.bytes
        message += [2, 1] + answer
        let checksum = NeighborFrames.icmpv6Checksum(source: target.bytes, destination: destination, message: message)
        message[2] = UInt8(checksum >> 8)
        message[3] = UInt8(checksum & 0xFF)
        var frame = AdvertisementFrame.ethernet(destination: dad ? NeighborFrames.allNodesMAC : request.requesterMAC, source: source,
                                                etherType: AdvertisementFrame.etherTypeIPv6)
        frame += [0x60, 0, 0, 0, UInt8(message.count >> 8), UInt8(message.count & 0xFF), 58, 255]
        frame += target.bytes + destination
        return frame + message
    }

    /// The multicast MAC a node must receive to hear solicitations for `address`:
    /// 33:33:ff + its last three bytes (its solicited-node group).
    public static func solicitedNodeMAC(_ address: IPv6Address) -> [UInt8] {
        [0x33, 0x33, 0xFF] + address.bytes.suffix(3)
    }

    /// A classic BPF program for the responder's socket: ARP requests and ICMPv6 neighbour
    /// solicitations (no extension header) pass, every other frame stays in the kernel.
    public static let filter: [(code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)] = [
        (0x28, 0, 0, 12),       // 0  ldh [12]          ethertype
        (0x15, 0, 2, 0x0806),   // 1  jeq ARP           else 4
        (0x28, 0, 0, 20),       // 2  ldh [20]          ARP operation
        (0x15, 5, 6, 1),        // 3  jeq request       9, else 10
        (0x15, 0, 5, 0x86DD),   // 4  jeq IPv6          else 10
        (0x30, 0, 0, 20),       // 5  ldb [20]          next header
        (0x15, 0, 3, 58),       // 6  jeq ICMPv6        else 10
        (0x30, 0, 0, 54),       // 7  ldb [54]          ICMPv6 type
        (0x15, 0, 1, 135),      // 8  jeq NS            else 10
        (0x06, 0, 0, 0xFFFF),   // 9  ret: pass
        (0x06, 0, 0, 0),        // 10 ret: drop
    ]
}
