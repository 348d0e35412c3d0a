import Testing
@testable import CARPCore

/// VRRPv3 the RFC's way (doc/vrrp.md): timers, priority 0, the tie-break, demotion, the
/// owner, and the engine's checks of a version 3 packet beside CARP.
struct VRRPElectionTests {
    func vrrpConfig(vhid: UInt8 = 51, priority: UInt8 = 100, interval: UInt16 = 100,
                    addresses: [String] = ["192.0.2.100/24"]) -> VirtualHostConfig {
        var c = VirtualHostConfig(vhid: vhid)
        c.version = 3
        c.vrrpPriority = priority
        c.vrrpInterval = interval
        c.addresses = addresses.map { IPPrefix($0)! }
        return c
    }

    func heard(priority: UInt8, interval: UInt16 = 100, from source: String = "192.0.2.2", local: String? = "192.0.2.1",
               addresses: [String] = ["192.0.2.100"]) -> HeardAdvertisement {
        .vrrp(VRRPHeard(advertisement: VRRPAdvertisement(vrid: 51, priority: priority, interval: interval, addresses: addresses.map { IPAddress($0)! }),
                        source: IPAddress(source)!, local: local.flatMap { IPAddress($0) }))
    }

    func machine(_ c: VirtualHostConfig, state: CARPState = .backup) -> CARPMachine {
        var m = CARPMachine(config: c, counterSeed: 0)
        _ = m.setRunnable(true, reason: .initializationComplete, now: 0)
        if state == .master { _ = m.force(.master, context: .init(), now: 0) }
        return m
    }

    /// Master_Down_Interval = 3 M + (256 - prio) M / 256, exactly (ns).
    @Test(arguments: [(UInt8(100), UInt16(100), UInt64(3_609_375_000)), (150, 100, 3_414_062_500), (100, 10, 360_937_500),
                      (254, 4095, 123_169_921_875), (1, 1, 39_960_937)])
    func masterDownInterval(_ priority: UInt8, _ interval: UInt16, _ expected: UInt64) {
        let rules = VRRPElection(config: vrrpConfig(priority: priority, interval: interval))
        #expect(rules.masterDownInterval == expected)
        #expect(rules.advertisementInterval(context: .init()) == UInt64(interval) * 10_000_000)
    }

    @Test func aBackupLearnsTheMastersIntervalAndTakesOverAfterSkewOnPriorityZero() {
        var m = machine(vrrpConfig())
        #expect(m.masterDownAt[.inet] == 3_609_375_000)
        // keepalived advertising every 3 s: the backup waits 3 x 3 s + skew (reference: 10.24 s).
        _ = m.receive(heard(priority: 150, interval: 300), family: .inet, context: .init(), now: 1_000)
        #expect(m.learnedInterval == 300 && m.masterDownAt[.inet] == 1_000 + 10_828_125_000)
        // The master resigns: Skew_Time of the learned interval.
        #expect(m.receive(heard(priority: 0, interval: 300), family: .inet, context: .init(), now: 2_000).isEmpty)
        #expect(m.masterDownAt[.inet] == 2_000 + 1_828_125_000 && m.state == .backup)
        let takeover = m.deadlineReached(context: .init(), now: 2_000 + 1_828_125_000)
        #expect(m.state == .master && takeover.contains(.stateChanged(from: .backup, to: .master, reason: .masterTimedOut)))
    }

    @Test func preemptDiscardsALowerMasterAndLetsTheTimerRun() {
        var m = machine(vrrpConfig(priority: 200))
        let before = m.masterDownAt[.inet]
        // preempt off: a lower master keeps us waiting (restarts the timer).
        _ = m.receive(heard(priority: 100), family: .inet, context: .init(preempt: false), now: 500)
        #expect(m.masterDownAt[.inet] == 500 + m.rules.masterDownInterval)
        // preempt on: discarded, the timer is not restarted and runs out.
        var p = machine(vrrpConfig(priority: 200))
        _ = p.receive(heard(priority: 100), family: .inet, context: .init(preempt: true), now: 500)
        #expect(p.masterDownAt[.inet] == before)
    }

    @Test func aMasterYieldsToHigherPriorityOrEqualFromAHigherAddress() {
        for (priority, source, yields) in [(UInt8(150), "192.0.2.2", true), (100, "192.0.2.2", true), (100, "192.0.2.0", false),
                                           (99, "192.0.2.200", false)] {
            var m = machine(vrrpConfig(), state: .master)
            let actions = m.receive(heard(priority: priority, from: source, local: "192.0.2.1"), family: .inet, context: .init(), now: 10)
            #expect((m.state == .backup) == yields, "priority \(priority) from \(source)")
            if yields { #expect(actions.first == .release(.down)) }
        }
    }

    @Test func aMasterHearingPriorityZeroAdvertisesAtOnce() throws {
        var m = machine(vrrpConfig(), state: .master)
        let actions = m.receive(heard(priority: 0), family: .inet, context: .init(), now: 123)
        #expect(m.state == .master && m.advertiseAt == 123 + 1_000_000_000)
        guard case .transmit(let t) = try #require(actions.first), case .vrrp(let sent) = t.advertisement else {
            Issue.record("no advertisement: \(actions)"); return
        }
        #expect(sent.priority == 100 && sent.vrid == 51)
    }

    @Test func shutdownSendsPriorityZero() {
        var m = machine(vrrpConfig(), state: .master)
        let actions = m.bowOut(context: .init(), reason: .administrativelyDown, now: 5)
        let priorities = actions.compactMap { action -> UInt8? in
            if case .transmit(let t) = action, case .vrrp(let a) = t.advertisement { a.priority } else { nil }
        }
        #expect(priorities == [0] && m.state == .initial)
    }

    @Test(arguments: [(UInt8(100), 60, UInt8(0), UInt8(40)), (100, 240, 0, 0), (255, 240, 128, 255), (100, -300, 0, 254), (100, 0, 128, 0),
                      (200, 0, 50, 150)])
    func demotionLowersThePriority(_ priority: UInt8, _ demotion: Int, _ demote: UInt8, _ expected: UInt8) {
        let rules = VRRPElection(config: vrrpConfig(priority: priority))
        #expect(rules.effectivePriority(ElectionContext(demotion: demotion, demoteCount: demote)) == expected)
    }

    @Test func theOwnerTakesOverAtOnceAndIgnoresAdvertisements() {
        var m = machine(vrrpConfig(priority: 255))
        #expect(m.masterDownAt[.inet] == 0)
        _ = m.deadlineReached(context: .init(), now: 1)
        #expect(m.state == .master)
        _ = m.receive(heard(priority: 254), family: .inet, context: .init(), now: 2)
        #expect(m.state == .master)
    }

    @Test func eachFamilyCarriesItsOwnAddresses() throws {
        let c = vrrpConfig(addresses: ["192.0.2.100/24", "fe80::52/64", "2001:db8::100/64"])
        var rules = VRRPElection(config: c)
        let advertisement = rules.advertisement(bowOut: false, context: .init())
        let v6 = try #require(advertisement.encoded(source: IPAddress("fe80::1"), destination: IPAddress("ff02::12")!))
        let decoded = try VRRPAdvertisement.decode(v6, source: IPAddress("fe80::1")!, destination: IPAddress("ff02::12")!).get()
        #expect(decoded.addresses == [IPAddress("fe80::52")!, IPAddress("2001:db8::100")!])
        #expect(advertisement.encoded(source: nil, destination: IPAddress("224.0.0.18")!) == nil)
    }
}

/// The engine: version 3 beside version 2 on IP 112, FreeBSD's counters.
struct VRRPEngineInputTests {
    func vrrpEngine() -> CARPEngine {
        var e = engine()
        var c = VirtualHostConfig(vhid: 51)
        c.version = 3
        c.addresses = [IPPrefix("192.0.2.100/24")!]
        _ = e.configure(VirtualHostKey(carpdev: "eth0", vhid: 51), c, counterSeed: 1, now: 0)
        return e
    }

    func vrrpPacket(vrid: UInt8 = 51, priority: UInt8 = 150, ttl: Int = 255, addresses: [String] = ["192.0.2.100"],
                    corrupt: Bool = false) -> ReceivedPacket {
        let source = IPAddress("192.0.2.2")!, group = IPAddress("224.0.0.18")!
        var bytes = VRRPAdvertisement(vrid: vrid, priority: priority, interval: 100, addresses: addresses.map { IPAddress($0)! })
            .encoded(source: source, destination: group)
        if corrupt { bytes[2] ^= 1 }
        return ReceivedPacket(family: .inet, payload: bytes, ttl: ttl, source: source, carpdev: "eth0", destination: group,
                              local: IPAddress("192.0.2.1"))
    }

    @Test func eachRejectionHasItsCounter() {
        let cases: [(ReceivedPacket, CARPStatistics.Counter)] = [
            (vrrpPacket(ttl: 254), .badttl), (vrrpPacket(corrupt: true), .badsum), (vrrpPacket(vrid: 52), .badvhid),
            (vrrpPacket(vrid: 1), .badver),  // vhid 1 is CARP
        ]
        for (input, counter) in cases {
            var e = vrrpEngine()
            _ = e.receive(input, now: 1)
            let drops = CARPStatistics.Counter.allCases.filter { $0 != .ipackets && e.statistics[$0] != 0 }
            #expect(drops == [counter], "expected only \(counter)")
        }
        // A CARP advertisement for the VRRP vhid: badver too.
        var e = vrrpEngine()
        _ = e.receive(packet(advert(config(vhid: 51), advbase: 1, advskew: 0)), now: 1)
        #expect(e.statistics[.badver] == 1)
    }

    @Test func aWrongAddressListIsCountedButHeard() {
        var e = vrrpEngine()
        let key = VirtualHostKey(carpdev: "eth0", vhid: 51)
        let before = e.hosts[key]?.machine.masterDownAt[.inet]
        _ = e.receive(vrrpPacket(addresses: ["192.0.2.101"]), now: 1_000)
        #expect(e.statistics[.badaddrs] == 1 && e.hosts[key]?.received == 1)
        #expect(e.hosts[key]?.machine.masterDownAt[.inet] != before)
    }
}

extension VRRPEngineInputTests {
    /// Through the engine: a master's advertisements, then its priority 0.
    @Test func priorityZeroThroughTheEngine() {
        var e = vrrpEngine()
        let key = VirtualHostKey(carpdev: "eth0", vhid: 51)
        _ = e.receive(vrrpPacket(priority: 150), now: 1_000_000_000)
        #expect(e.hosts[key]?.machine.masterDownAt[.inet] == 1_000_000_000 + 3_609_375_000)
        _ = e.receive(vrrpPacket(priority: 0), now: 2_000_000_000)
        #expect(e.hosts[key]?.machine.masterDownAt[.inet] == 2_000_000_000 + 609_375_000)
        #expect(e.nextDeadline == 2_000_000_000 + 609_375_000)
    }
}

/// `hasMaster`, which the node reads after every reactor turn (pfsync follows it).
struct HasMasterTests {
    @Test func followsTheMachines() {
        var e = engine()
        #expect(!e.hasMaster)
        _ = e.deadlineReached(now: .max / 2)
        let key = VirtualHostKey(carpdev: "eth0", vhid: 1)
        #expect(e.hosts[key]?.machine.state == .master)
        #expect(e.hasMaster)
    }
}
