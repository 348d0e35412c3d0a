import Testing
@testable import CARPCore

/// carpd's answers for a balanced interface: the group's multicast MAC, sent from the
/// carpdev's own MAC, to the one who asked.
struct NeighborRepliesTests {
    let client: [UInt8] = [0x02, 0, 0, 0, 0, 0x64]
    let carpdev: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    let group: [UInt8] = [0x01, 0, 0x5e, 0, 1, 1]

    func arpRequest(target: [UInt8]) -> [UInt8] {
        var f: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + client + [0x08, 0x06]
        f += [0, 1, 8, 0, 6, 4, 0, 1] + client + [192, 0, 2, 100] + [0, 0, 0, 0, 0, 0] + target
        return f + [UInt8](repeating: 0, count: 18)
    }

    @Test func anARPRequestIsAnsweredWithTheGroupMAC() throws {
        let request = try #require(NeighborReplies.request(in: arpRequest(target: [192, 0, 2, 10])))
        #expect(request.target == IPAddress("192.0.2.10"))
        #expect(request.requester == IPAddress("192.0.2.100"))
        let reply = try #require(NeighborReplies.arpReply(to: request, answer: group, source: carpdev))
        #expect(Array(reply[0..<6]) == client)          // to the requester
        #expect(Array(reply[6..<12]) == carpdev)        // never from the multicast MAC
        #expect(Array(reply[20..<22]) == [0, 2])        // a reply
        #expect(Array(reply[22..<28]) == group)         // "192.0.2.10 is at 01:00:5e:00:01:01"
        #expect(Array(reply[28..<32]) == [192, 0, 2, 10])
        #expect(Array(reply[32..<42]) == client + [192, 0, 2, 100])
        #expect(reply.count == 60)
    }

    @Test func otherFramesAreNoRequests() {
        var reply = arpRequest(target: [192, 0, 2, 10])
        reply[21] = 2
        #expect(NeighborReplies.request(in: reply) == nil)
        #expect(NeighborReplies.request(in: Array(arpRequest(target: [192, 0, 2, 10]).prefix(30))) == nil)
        #expect(NeighborReplies.request(in: []) == nil)
    }

    func solicitation(source: [UInt8], target: [UInt8], sourceOption: Bool) -> [UInt8] {
        var icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + target
        if sourceOption { icmp += [1, 1] + client }
        var f: [UInt8] = [0x33, 0x33, 0xFF, 0, 0, 0x10] + client + [0x86, 0xDD]
        f += [0x60, 0, 0, 0, 0, UInt8(icmp.count), 58, 255] + source + [0xFF, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0, 0, 0x10]
        return f + icmp
    }

    let vip6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0x10]
    let asker6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 10) + [1, 0]

    @Test func aSolicitationIsAnsweredSolicitedAndOverriding() throws {
        let request = try #require(NeighborReplies.request(in: solicitation(source: asker6, target: vip6, sourceOption: true)))
        #expect(request.requesterMAC == client)
        let na = try #require(NeighborReplies.advertisement(to: request, answer: group, source: carpdev, router: false))
        #expect(Array(na[0..<6]) == client)
        #expect(Array(na[6..<12]) == carpdev)
        #expect(na[21] == 255)                           // hop limit
        #expect(Array(na[22..<38]) == vip6)              // from the target address
        #expect(Array(na[38..<54]) == asker6)            // to the one who asked
        #expect(na[54] == 136 && na[58] == 0x60)         // NA, Solicited + Override
        #expect(Array(na[78..<86]) == [2, 1] + group)    // target link-layer address
        let message = Array(na[54...])
        let sum = NeighborFrames.icmpv6Checksum(source: vip6, destination: asker6, message: message)
        #expect(sum == 0)  // a valid checksum sums to zero with itself included
    }

    @Test func aDuplicateAddressProbeIsAnsweredToAllNodes() throws {
        let unspecified = [UInt8](repeating: 0, count: 16)
        let request = try #require(NeighborReplies.request(in: solicitation(source: unspecified, target: vip6, sourceOption: false)))
        let na = try #require(NeighborReplies.advertisement(to: request, answer: group, source: carpdev, router: true))
        #expect(Array(na[0..<6]) == [0x33, 0x33, 0, 0, 0, 1])
        #expect(na[58] == 0xA0)                          // Router + Override, not Solicited
    }

    @Test func theSolicitedNodeGroupMAC() {
        #expect(NeighborReplies.solicitedNodeMAC(IPv6Address("2001:db8::1:2:3")!) == [0x33, 0x33, 0xFF, 0x02, 0x00, 0x03])
    }
}
