import Testing
@testable import CARPCore

/// A small deterministic generator so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

struct HostileInputTests {
    /// Random bytes and mutations of a valid advertisement: nothing crashes, every packet is
    /// counted once in ipackets/ipackets6, and no state changes without a valid HMAC.
    @Test func randomAndMutatedPacketsNeverChangeState() {
        var rng = SplitMix(state: 42)
        var e = engine(advskew: 100)
        let valid = advert(config(), advbase: 1, advskew: 0).sealed()
        var sent = 0
        for round in 0..<20_000 {
            var payload: [UInt8]
            if round % 2 == 0 {
                payload = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                payload = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    payload[Int.random(in: 0..<36, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                if payload == valid { continue }
            }
            let family: AddressFamily = round % 3 == 0 ? .inet6 : .inet
            let outputs = e.receive(ReceivedPacket(family: family, payload: payload, ttl: Int.random(in: 250...255, using: &rng),
                                                   source: nil, carpdev: "eth0"), now: UInt64(round) * 10_000_000)
            sent += 1
            #expect(!outputs.contains { if case .vhost = $0 { true } else { false } })
        }
        #expect(e.hosts[key]!.machine.state == .backup)
        #expect(e.statistics[.ipackets] + e.statistics[.ipackets6] == UInt64(sent))
        let dropped = [CARPStatistics.Counter.badttl, .hdrops, .badsum, .badver, .badlen, .badauth, .badvhid, .badif]
            .reduce(0) { $0 + e.statistics[$1] }
        #expect(dropped == UInt64(sent))
    }
}
