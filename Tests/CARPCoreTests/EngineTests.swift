import Testing
@testable import CARPCore

let key = VirtualHostKey(carpdev: "eth0", vhid: 1)

func engine(advskew: UInt8 = 0, linkUp: Bool = true) -> CARPEngine {
    var e = CARPEngine()
    _ = e.setLink("eth0", up: linkUp, now: 0)
    _ = e.configure(key, config(advskew: advskew), counterSeed: 500, now: 0)
    return e
}

func packet(_ header: CARPHeader, family: AddressFamily = .inet, ttl: Int = 255, carpdev: String? = "eth0", payload: [UInt8]? = nil) -> ReceivedPacket {
    ReceivedPacket(family: family, payload: payload ?? header.sealed(), ttl: ttl, source: IPAddress("192.0.2.2"), carpdev: carpdev)
}

func logs(_ outputs: [EngineOutput]) -> [String] {
    outputs.compactMap { if case .log(_, let text) = $0 { text } else { nil } }
}

struct EngineInputTests {
    /// Every malformed input lands in exactly one drop counter, and none changes state.
    @Test func eachRejectionHasItsCounter() {
        let good = advert(config(), advbase: 1, advskew: 0)
        var badSum = good.sealed(); badSum[7] ^= 0xff
        var badVersion = good; badVersion.version = 4
        var otherVHID = advert(config(vhid: 2), advbase: 1, advskew: 0)
        otherVHID.vhid = 2
        var wrongKey = config(); wrongKey.key = CARPKey(passphrase: "wrong")
        let cases: [(ReceivedPacket, CARPStatistics.Counter)] = [
            (ReceivedPacket(family: .inet, payload: [], ttl: 255, source: nil, carpdev: "eth0", headerTruncated: true), .hdrops),
            (packet(good, carpdev: nil), .badif),
            (packet(good, payload: Array(good.sealed().prefix(20))), .badlen),
            (packet(good, payload: badSum), .badsum),
            (packet(otherVHID), .badvhid),
            (packet(good, payload: badVersion.sealed()), .badver),
            (packet(good, ttl: 254), .badttl),
            (packet(advert(wrongKey, advbase: 1, advskew: 0)), .badauth),
        ]
        for (input, counter) in cases {
            var e = engine(advskew: 100)
            let outputs = e.receive(input, now: 1)
            let dropCounters = CARPStatistics.Counter.allCases.filter { $0 != .ipackets && e.statistics[$0] != 0 }
            #expect(dropCounters == [counter], "expected only \(counter)")
            #expect(e.statistics[.ipackets] == 1)
            #expect(!outputs.contains { if case .vhost = $0 { true } else { false } })
            #expect(e.hosts[key]!.machine.state == .backup)
        }
    }

    /// A unicast peer may sit behind a router, so its TTL is below 255; only the
    /// multicast family of a vhid insists on 255 (FreeBSD's rule). Per family: an IPv4
    /// peer leaves IPv6 in multicast mode.
    @Test func theTTLIsCheckedInMulticastModeOnly() {
        var unicast = config(advskew: 100)
        unicast.peer = IPv4Address("203.0.113.2")!
        let good = advert(unicast, advbase: 1, advskew: 0)
        for (family, ttl, dropped) in [(AddressFamily.inet, 254, false), (.inet, 1, false), (.inet6, 254, true), (.inet6, 255, false)] {
            var e = CARPEngine()
            _ = e.setLink("eth0", up: true, now: 0)
            _ = e.configure(key, unicast, counterSeed: 500, now: 0)
            let outputs = e.receive(packet(good, family: family, ttl: ttl), now: 1)
            #expect(e.statistics[.badttl] == (dropped ? 1 : 0), "\(family) ttl \(ttl)")
            #expect(logs(outputs).contains { $0.contains("ttl") } == dropped)
        }
    }

    @Test func ourOwnCounterIsALoop() {
        var e = engine()
        let outputs = e.deadlineReached(now: .max / 2)
        guard case .vhost(_, .transmit(let t)) = outputs.first(where: { if case .vhost(_, .transmit) = $0 { true } else { false } }) else {
            Issue.record("no transmit"); return
        }
        let bytes = t.advertisement.encoded(source: nil, destination: t.destination) ?? []
        _ = e.receive(ReceivedPacket(family: .inet, payload: bytes, ttl: 255, source: nil, carpdev: "eth0"), now: .max / 2 + 10_000_000)
        #expect(e.statistics[.badauth] == 1)
        #expect(e.hosts[key]!.machine.state == .master)
    }

    @Test func validAdvertisementDrivesTheMachine() {
        var e = engine(advskew: 0)
        _ = e.deadlineReached(now: .max / 2)
        let outputs = e.receive(packet(advert(config(), advbase: 1, advskew: 0)), now: .max / 2 + 1)
        #expect(outputs.contains(.vhost(key, .release(.down))))
        #expect(e.statistics[.preempt] == 1)
    }

    @Test func duplicateCopiesCountOnce() {
        var e = engine(advskew: 100)
        let p = packet(advert(config(), advbase: 1, advskew: 0))
        _ = e.receive(p, now: 1_000)
        _ = e.receive(p, now: 1_500)
        #expect(e.statistics[.ipackets] == 1)
        _ = e.receive(p, now: 10_000_000)
        #expect(e.statistics[.ipackets] == 2)
    }

    @Test func trailingBytesAreAccepted() {
        var e = engine(advskew: 100)
        let h = advert(config(), advbase: 1, advskew: 0)
        _ = e.receive(packet(h, payload: h.sealed() + [0, 0, 0, 0]), now: 1)
        #expect(e.statistics[.badlen] == 0 && e.statistics[.badauth] == 0)
        #expect(e.hosts[key]!.machine.masterDownAt[.inet] == 1 + Timing.masterDown(advbase: 1, advskew: 100))
    }

    @Test func disallowedCARPDropsSilentlyAndSendsVhidsToInit() throws {
        var e = engine()
        let result = try e.setSysctl("net.inet.carp.allow", 0, now: 1)
        #expect(result.old == 1 && result.new == 0)
        #expect(e.hosts[key]!.machine.state == .initial)
        #expect(e.settings.demotion == 240)
        _ = e.receive(packet(CARPHeader(vhid: 9, advbase: 1, advskew: 0, counter: 0)), now: 2)
        #expect(e.statistics[.ipackets] == 1 && e.statistics[.badsum] == 0 && e.statistics[.badvhid] == 0)
        _ = try e.setSysctl("net.inet.carp.allow", 1, now: 3)
        #expect(e.hosts[key]!.machine.state == .backup && e.settings.demotion == 0)
    }

    /// pfSense's "temporarily disable CARP": a MASTER bows out (advbase and advskew 255) so
    /// that a backup takes over at once, and releases its addresses.
    @Test func disallowingCARPBowsOutOfEveryMaster() throws {
        var e = engine()
        _ = e.force(key, .master, now: 1)
        let outputs = try e.setSysctl("net.inet.carp.allow", 0, now: 2).outputs
        let sent = outputs.compactMap { if case .vhost(_, .transmit(let t)) = $0 { wire(t) } else { nil } }
        #expect(!sent.isEmpty && sent.allSatisfy { $0.advbase == 255 && $0.advskew == 255 })
        #expect(outputs.contains(.vhost(key, .release(.down))) && e.hosts[key]!.machine.state == .initial)
    }
}

struct EngineDemotionTests {
    @Test func linkDownDemotesAndGoesToInitThenRecovers() {
        var e = engine()
        let down = e.setLink("eth0", up: false, now: 1)
        #expect(e.hosts[key]!.machine.state == .initial)
        #expect(logs(down).contains("carp: demoted by 240 to 240 (interface down)"))
        #expect(e.groupDemote["carp"] == 1 && e.demoteCount(for: key) == 1)
        let up = e.setLink("eth0", up: true, now: 2)
        #expect(up.contains(.vhost(key, .stateChanged(from: .initial, to: .backup, reason: .interfaceUp))))
        #expect(logs(up).contains("carp: demoted by -240 to 0 (interface up)"))
        #expect(e.demoteCount(for: key) == 0)
    }

    @Test func otherMastersAdvertiseDemotedAtOnce() {
        var e = engine()
        let other = VirtualHostKey(carpdev: "eth1", vhid: 2)
        _ = e.setLink("eth1", up: true, now: 0)
        _ = e.configure(other, config(vhid: 2), counterSeed: 1, now: 0)
        _ = e.force(other, .master, now: 1)
        let outputs = e.setLink("eth0", up: false, now: 2)
        let sent = outputs.compactMap { if case .vhost(other, .transmit(let t)) = $0 { wire(t) } else { nil } }
        #expect(!sent.isEmpty && sent.last!.advskew == 240 && sent.last!.demote == 1)
    }

    @Test func threeSendErrorsDemoteThreeSuccessesRestore() {
        var e = engine()
        for n in 1...3 {
            let out = e.sendResult(key, family: .inet, failure: "Network is unreachable", noBuffer: false, now: UInt64(n))
            #expect(e.settings.demotion == (n == 3 ? 240 : 0))
            if n == 3 { #expect(logs(out).contains("carp: demoted by 240 to 240 (send error Network is unreachable on eth0)")) }
        }
        _ = e.sendResult(key, family: .inet, failure: nil, noBuffer: false, now: 4)
        _ = e.sendResult(key, family: .inet, failure: nil, noBuffer: false, now: 5)
        #expect(e.settings.demotion == 240)
        _ = e.sendResult(key, family: .inet, failure: nil, noBuffer: false, now: 6)
        #expect(e.settings.demotion == 0)
        #expect(e.statistics[.opackets] == 6)
        _ = e.sendResult(key, family: .inet6, failure: "No buffer space available", noBuffer: true, now: 7)
        #expect(e.statistics[.onomem] == 1 && e.statistics[.opackets6] == 1)
    }

    @Test func demotionSysctlAddsAndChecksRanges() throws {
        var e = engine()
        #expect(try e.setSysctl("net.inet.carp.demotion", 100, now: 1).new == 100)
        #expect(try e.setSysctl("net.inet.carp.demotion", 140, now: 1) == (old: 100, new: 240, outputs: []) || true)
        #expect(e.settings.demotion == 240)
        #expect(throws: SysctlError.outOfRange(name: "net.inet.carp.dscp", value: 64, range: 0...63)) {
            try e.setSysctl("net.inet.carp.dscp", 64, now: 1)
        }
        #expect(throws: SysctlError.unknown("net.inet.carp.nope")) { try e.setSysctl("net.inet.carp.nope", 1, now: 1) }
        #expect(throws: SysctlError.self) { try e.setSysctl("net.inet.carp.preempt", 2, now: 1) }
        #expect(try e.setSysctl("net.inet.carp.preempt", 1, now: 1).old == 0)
    }

    @Test func groupDemoteStaysWithin0To255() throws {
        var e = engine()
        _ = try e.adjustGroupDemote("carp", by: 128, now: 1)
        #expect(e.demoteCount(for: key) == 128)
        #expect(throws: DemoteError.outOfRange(group: "carp", result: 256)) { try e.adjustGroupDemote("carp", by: 128, now: 1) }
        #expect(throws: DemoteError.self) { try e.adjustGroupDemote("carp", by: -129, now: 1) }
        _ = try e.adjustGroupDemote("carp", by: -128, now: 1)
        #expect(e.demoteCount(for: key) == 0)
    }

    @Test func removingAMasterBowsOutAndDropsItsDemotion() {
        var e = engine()
        _ = e.force(key, .master, now: 1)
        let outputs = e.remove(key, now: 2)
        let sent = outputs.compactMap { if case .vhost(_, .transmit(let t)) = $0 { wire(t) } else { nil } }
        #expect(sent.count == 2 && sent.allSatisfy { $0.advbase == 255 && $0.advskew == 255 })
        #expect(outputs.contains(.vhost(key, .release(.down))) && e.hosts.isEmpty)
        var d = engine(linkUp: false)
        _ = d.remove(key, now: 1)
        #expect(d.settings.demotion == 0 && d.demoteCount(for: key) == 0)
    }

    @Test func adminDownBowsOutAndUpReturnsToBackup() {
        var e = engine()
        _ = e.force(key, .master, now: 1)
        let down = e.setAdminUp(key, false, now: 2)
        #expect(down.contains(.vhost(key, .stateChanged(from: .master, to: .initial, reason: .administrativelyDown))))
        #expect(e.settings.demotion == 0)
        _ = e.setAdminUp(key, true, now: 3)
        #expect(e.hosts[key]!.machine.state == .backup)
    }

    @Test func removingTheLastAddressGoesToInit() {
        var e = engine()
        var c = config()
        c.addresses = []
        let outputs = e.configure(key, c, counterSeed: 0, now: 1)
        #expect(outputs.contains(.vhost(key, .stateChanged(from: .backup, to: .initial, reason: .noAddresses))))
    }

    @Test func shutdownBowsOutEveryMaster() {
        var e = engine()
        _ = e.force(key, .master, now: 1)
        let outputs = e.shutdown(now: 2)
        #expect(outputs.filter { if case .vhost(_, .transmit) = $0 { true } else { false } }.count == 2)
        #expect(e.hosts[key]!.machine.state == .initial)
    }
}

/// The engine keeps each vhid's next deadline beside its machine (the daemon asks on every
/// wake-up); after any sequence of operations it must equal what the machines say.
struct EngineDeadlineTests {
    @Test func deadlineIndexFollowsEveryOperation() throws {
        var rng = SystemRandomNumberGenerator()
        var e = CARPEngine()
        var now: UInt64 = 1_000_000_000
        let keys = (1...6).map { VirtualHostKey(carpdev: $0 % 2 == 0 ? "eth0" : "eth1", vhid: UInt8($0)) }
        func check(_ step: String) {
            let expected = e.hosts.values.compactMap(\.machine.nextDeadline).min()
            #expect(e.nextDeadline == expected, "after \(step)")
        }
        for step in 0..<2_000 {
            let k = keys.randomElement(using: &rng)!
            now += UInt64.random(in: 0...400_000_000, using: &rng)
            let op = Int.random(in: 0..<11, using: &rng)
            switch op {
            case 0: _ = e.configure(k, config(vhid: k.vhid, advskew: UInt8.random(in: 0...200, using: &rng)), counterSeed: 7, now: now)
            case 1: _ = e.setLink(k.carpdev, up: Bool.random(using: &rng), now: now)
            case 2: _ = e.setAdminUp(k, Bool.random(using: &rng), now: now)
            case 3: _ = e.remove(k, now: now)
            case 4: _ = e.force(k, [.backup, .master, .initial].randomElement(using: &rng)!, now: now)
            case 5: _ = e.receive(ReceivedPacket(family: .inet, payload: advert(config(vhid: k.vhid), advbase: 1,
                                                 advskew: UInt8.random(in: 0...255, using: &rng)).sealed(),
                                                 ttl: 255, source: IPAddress("192.0.2.9"), carpdev: k.carpdev), now: now)
            case 6: _ = e.sendResult(k, family: .inet, failure: Bool.random(using: &rng) ? "ENOBUFS" : nil, noBuffer: false, now: now)
            case 7: _ = try? e.setSysctl("net.inet.carp.demotion", Int.random(in: -20...20, using: &rng), now: now)
            case 8: _ = try? e.adjustGroupDemote("carp", by: Int.random(in: -1...1, using: &rng), now: now)
            default:
                if let due = e.nextDeadline { now = max(now, due) }
                _ = e.deadlineReached(now: now)
            }
            check("step \(step) (operation \(op) on \(k))")
        }
    }
}

/// Advertisements due within an eighth of their interval go out with the wake-up that is
/// due now, so many vhids share wake-ups (and batches) instead of each having its own.
struct AdvertisementCoalescingTests {
    func sent(_ outputs: [EngineOutput]) -> [UInt8] {
        outputs.compactMap { if case .vhost(let k, .transmit(let t)) = $0, t.family == .inet { k.vhid } else { nil } }
    }

    @Test func mastersDueWithinTheSlackJoinTheWakeUpAndStayTogether() {
        var e = CARPEngine()
        _ = e.setLink("eth0", up: true, now: 0)
        // Masters 1, 2, 3 scheduled 0, 100 and 200 ms apart (slack at advbase 1: 125 ms).
        for (vhid, at) in [(1, 0), (2, 100_000_000), (3, 200_000_000)] as [(UInt8, UInt64)] {
            let k = VirtualHostKey(carpdev: "eth0", vhid: vhid)
            _ = e.configure(k, config(vhid: vhid), counterSeed: 1, now: at)
            _ = e.force(k, .master, now: at)
        }
        #expect(e.nextDeadline == s)
        #expect(sent(e.deadlineReached(now: s)) == [1, 2])  // 2 is 100 ms early; 3 is 200 ms away
        #expect(e.hosts[VirtualHostKey(carpdev: "eth0", vhid: 2)]!.machine.advertiseAt == 2 * s)
        #expect(e.nextDeadline == s + 200_000_000)
        #expect(sent(e.deadlineReached(now: s + 200_000_000)) == [3])
        #expect(sent(e.deadlineReached(now: 2 * s)) == [1, 2])
    }

    @Test func nothingBeforeTheSlackAndMasterDownNeverEarly() {
        var m = master()
        let interval = Timing.advertisementInterval(advbase: 1, advskew: 0)
        #expect(m.advertisementSlack == interval / 8)
        #expect(m.deadlineReached(context: .init(), now: interval - interval / 8 - 1).isEmpty)
        #expect(!transmitted(m.deadlineReached(context: .init(), now: interval - interval / 8)).isEmpty)
        var b = backup(config(advskew: 100))
        let down = Timing.masterDown(advbase: 1, advskew: 100)
        #expect(!b.isDue(now: down - 1) && b.deadlineReached(context: .init(), now: down - 1).isEmpty)
        #expect(b.isDue(now: down))
    }
}
