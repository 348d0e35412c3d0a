import Testing
@testable import CARPCore

let s = Timing.second

func config(vhid: UInt8 = 1, advbase: UInt8 = 1, advskew: UInt8 = 0, addresses: [String] = ["192.0.2.50/24", "2001:db8::50/64"]) -> VirtualHostConfig {
    var c = VirtualHostConfig(vhid: vhid)
    c.advbase = advbase
    c.advskew = advskew
    c.key = CARPKey(passphrase: "s3cret")
    c.addresses = addresses.map { IPPrefix($0)! }
    return c
}

/// A peer's authenticated advertisement for `c`'s vhid and addresses.
func advert(_ c: VirtualHostConfig, advbase: UInt8, advskew: UInt8, demote: UInt8 = 0, counter: UInt64 = 99) -> CARPHeader {
    let auth = CARPAuthenticator(key: c.key, vhid: c.vhid, addresses: c.addresses.map(\.address))
    var h = CARPHeader(vhid: c.vhid, advbase: advbase, advskew: advskew, demote: demote, counter: counter)
    h.digest = auth.digest(counter: h.counterBytes)
    return CARPHeader(bytes: h.sealed())!
}

func states(_ actions: [CARPAction]) -> [String] {
    actions.compactMap { if case .stateChanged(let a, let b, let r) = $0 { "\(a)->\(b) (\(r.rawValue))" } else { nil } }
}

/// The advertisements sent, as they travel (sealed and decoded again), with their families.
func transmitted(_ actions: [CARPAction]) -> [(CARPHeader, AddressFamily)] {
    actions.compactMap { if case .transmit(let t) = $0 { (wire(t), t.family) } else { nil } }
}

func wire(_ t: Transmission) -> CARPHeader { CARPHeader(bytes: t.advertisement.encoded(source: nil, destination: t.destination) ?? [])! }

let vips = config().addresses

func backup(_ c: VirtualHostConfig = config(), at now: UInt64 = 0) -> CARPMachine {
    var m = CARPMachine(config: c, counterSeed: 1000)
    _ = m.setRunnable(true, reason: .initializationComplete, now: now)
    return m
}

func master(_ c: VirtualHostConfig = config(), context: ElectionContext = .init()) -> CARPMachine {
    var m = backup(c)
    _ = m.force(.master, context: context, now: 0)
    return m
}

struct TimerTests {
    @Test func masterDownIsThreeAdvbasePlusSkew() {
        #expect(Timing.masterDown(advbase: 1, advskew: 100) == 3 * s + 100 * s / 256)
        #expect(Timing.masterDown(advbase: 1, advskew: 100) == 3_390_625_000)
        #expect(Timing.masterDown(advbase: 0, advskew: 10) == 3 * 10 * s / 256)
        #expect(Timing.masterDown(advbase: 0, advskew: 0) == 3 * s / 256)
        #expect(Timing.advertisementInterval(advbase: 0, advskew: 0) == s / 256)
        #expect(Timing.advertisementInterval(advbase: 2, advskew: 128) == 2 * s + s / 2)
    }
}

struct MachineTests {
    @Test func initBecomesBackupWithPerFamilyTimers() {
        var m = CARPMachine(config: config(advskew: 100), counterSeed: 1)
        #expect(m.state == .initial && m.nextDeadline == nil)
        let actions = m.setRunnable(true, reason: .initializationComplete, now: 5)
        #expect(states(actions) == ["INIT->BACKUP (initialization complete)"])
        #expect(m.masterDownAt == [.inet: 5 + 3_390_625_000, .inet6: 5 + 3_390_625_000])
    }

    @Test func backupTimesOutIntoMasterAdvertisesClaimsAnnounces() {
        var m = backup(config(advskew: 100))
        #expect(m.deadlineReached(context: .init(), now: 3_390_624_999).isEmpty)
        let actions = m.deadlineReached(context: .init(), now: 3_390_625_000)
        #expect(m.state == .master)
        #expect(states(actions) == ["BACKUP->MASTER (master timed out)"])
        #expect(actions.firstIndex(where: { if case .transmit = $0 { true } else { false } })! < actions.firstIndex(of: .claim(vips))!)
        #expect(actions.last == .announce(vips))
        let sent = transmitted(actions)
        #expect(sent.map(\.1) == [.inet, .inet6])
        #expect(sent[0].0.advskew == 100 && sent[0].0.advbase == 1 && sent[0].0.counter == 1000)
        #expect(m.advertiseAt == 3_390_625_000 + s + 100 * s / 256)
    }

    @Test func masterRepeatsAnnouncementAfterTwoAdvertisementsAndCountsUp() {
        var m = master()
        let interval = Timing.advertisementInterval(advbase: 1, advskew: 0)
        let first = m.deadlineReached(context: .init(), now: interval)
        #expect(!first.contains(.announce(vips)))
        let second = m.deadlineReached(context: .init(), now: 2 * interval)
        // Before the advertisement: a peer preempting on it must announce after us.
        #expect(second.first == .announce(vips) && !transmitted(second).isEmpty)
        let third = m.deadlineReached(context: .init(), now: 3 * interval)
        #expect(!third.contains(.announce(vips)))
        #expect(transmitted(third)[0].0.counter == 1003)
    }

    @Test func masterYieldsToMorePreferredAndToEqual() {
        for skew: UInt8 in [0, 50] {
            var m = master(config(advskew: 50))
            let actions = m.receive(advert(m.config, advbase: 1, advskew: skew), family: .inet, context: .init(), now: 1)
            #expect(states(actions) == ["MASTER->BACKUP (more frequent advertisement received)"])
            #expect(actions.first == .release(.down))
            #expect(m.advertiseAt == nil && m.masterDownAt.count == 2)
        }
    }

    @Test func masterIgnoresLessPreferred() {
        var m = master(config(advskew: 50))
        #expect(m.receive(advert(m.config, advbase: 1, advskew: 51), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(m.receive(advert(m.config, advbase: 2, advskew: 0), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(m.state == .master)
    }

    @Test func masterYieldsToLessDemotedEvenIfSlower() {
        var m = master(config(advskew: 0), context: ElectionContext(demoteCount: 2))
        let actions = m.receive(advert(m.config, advbase: 1, advskew: 100, demote: 1), family: .inet, context: ElectionContext(demoteCount: 2), now: 1)
        #expect(m.state == .backup && !states(actions).isEmpty)
    }

    @Test func masterKeepsMasteryAgainstMoreDemotedFasterPeer() {
        var m = master(config(advskew: 100))
        let actions = m.receive(advert(m.config, advbase: 1, advskew: 0, demote: 1), family: .inet, context: .init(), now: 1)
        #expect(actions.isEmpty && m.state == .master)
    }

    @Test func backupPreemptsSlowerMasterOnlyWithPreempt() {
        var off = backup(config(advskew: 0))
        #expect(off.receive(advert(off.config, advbase: 1, advskew: 100), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(off.state == .backup)
        var on = backup(config(advskew: 0))
        let actions = on.receive(advert(on.config, advbase: 1, advskew: 100), family: .inet, context: ElectionContext(preempt: true), now: 1)
        #expect(states(actions) == ["BACKUP->MASTER (preempting a slower master)"])
    }

    @Test func preemptDoesNotOverrideAMoreDemotedSelf() {
        var m = backup(config(advskew: 0))
        let ctx = ElectionContext(preempt: true, demoteCount: 3)
        #expect(m.receive(advert(m.config, advbase: 1, advskew: 100, demote: 1), family: .inet, context: ctx, now: 1).isEmpty)
    }

    @Test func backupTakesOverFromMoreDemotedMasterWithoutPreempt() {
        var m = backup(config(advskew: 200))
        let actions = m.receive(advert(m.config, advbase: 1, advskew: 0, demote: 1), family: .inet, context: .init(), now: 1)
        #expect(states(actions) == ["BACKUP->MASTER (preempting a demoted master)"])
    }

    @Test func backupTakesOverWhenMasterWouldTimeOut() {
        var m = backup(config(advbase: 1, advskew: 200))
        let actions = m.receive(advert(m.config, advbase: 4, advskew: 0), family: .inet, context: .init(), now: 1)
        #expect(states(actions) == ["BACKUP->MASTER (master will time out)"])
        var n = backup(config(advbase: 1, advskew: 200))
        #expect(n.receive(advert(n.config, advbase: 3, advskew: 201), family: .inet, context: .init(), now: 1).count == 5)
        var o = backup(config(advbase: 1, advskew: 200))
        #expect(o.receive(advert(o.config, advbase: 3, advskew: 200), family: .inet, context: .init(), now: 1).isEmpty)
    }

    @Test(arguments: [UInt8(0), 1, 85])
    func bowOutAdvertisementIsTakenOverAtOnce(_ advbase: UInt8) {
        var m = backup(config(advbase: advbase, advskew: 254))
        let actions = m.receive(advert(m.config, advbase: 255, advskew: 255), family: .inet6, context: .init(), now: 1)
        #expect(states(actions) == ["BACKUP->MASTER (master will time out)"])
    }

    @Test func subSecondBackupDoesNotUseTheTimeOutRule() {
        var m = backup(config(advbase: 0, advskew: 20))
        #expect(m.receive(advert(m.config, advbase: 1, advskew: 0), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(m.masterDownAt[.inet] == 1 + 3 * 20 * Timing.skewUnit)
    }

    @Test func receiveRestartsOnlyItsOwnFamilyTimer() {
        var m = backup(config(advskew: 100))
        let down = Timing.masterDown(advbase: 1, advskew: 100)
        _ = m.receive(advert(m.config, advbase: 1, advskew: 0), family: .inet, context: .init(), now: s)
        #expect(m.masterDownAt[.inet] == s + down && m.masterDownAt[.inet6] == down)
        let actions = m.deadlineReached(context: .init(), now: down)
        #expect(states(actions) == ["BACKUP->MASTER (master timed out)"])
    }

    @Test func initIgnoresAdvertisementsAndTimers() {
        var m = CARPMachine(config: config(), counterSeed: 1)
        #expect(m.receive(advert(m.config, advbase: 255, advskew: 255), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(m.deadlineReached(context: .init(), now: .max).isEmpty)
        #expect(m.force(.master, context: .init(), now: 1).isEmpty)
        #expect(m.state == .initial)
    }

    @Test func forcedStates() {
        var m = backup()
        #expect(states(m.force(.master, context: .init(), now: 1)) == ["BACKUP->MASTER (user requested via ifconfig)"])
        #expect(m.force(.master, context: .init(), now: 2).isEmpty)
        let actions = m.force(.backup, context: .init(), now: 3)
        #expect(states(actions) == ["MASTER->BACKUP (user requested via ifconfig)"] && actions.first == .release(.down))
    }

    @Test func notRunnableSendsMasterToInitAndReleases() {
        var m = master()
        let actions = m.setRunnable(false, reason: .interfaceDown, now: 1)
        #expect(actions == [.release(.down), .stateChanged(from: .master, to: .initial, reason: .interfaceDown)])
        #expect(m.nextDeadline == nil)
    }

    @Test func bowOutSends255Then255AndReleases() {
        var m = master()
        let actions = m.bowOut(context: ElectionContext(demoteCount: 4), reason: .administrativelyDown, now: 1)
        let sent = transmitted(actions)
        #expect(sent.count == 2 && sent.allSatisfy { $0.0.advbase == 255 && $0.0.advskew == 255 && $0.0.demote == 4 })
        #expect(Array(actions.suffix(2)) == [.release(.down), .stateChanged(from: .master, to: .initial, reason: .administrativelyDown)])
        var b = backup()
        #expect(transmitted(b.bowOut(context: .init(), reason: .administrativelyDown, now: 1)).isEmpty)
    }

    @Test func demotionRaisesTheAdvertisedSkewCappedAt240() {
        #expect(ElectionContext(demotion: 240).effectiveSkew(100) == 240)
        #expect(ElectionContext(demotion: 20).effectiveSkew(100) == 120)
        #expect(ElectionContext(demotion: -200).effectiveSkew(100) == 0)
        #expect(ElectionContext(demotion: 0).effectiveSkew(250) == 250)
        var m = master(config(advskew: 10))
        let sent = transmitted(m.advertiseNow(context: ElectionContext(demotion: 240), now: 1))
        #expect(sent[0].0.advskew == 240)
        // A demoted master yields to an equally configured peer that is not demoted.
        let actions = m.receive(advert(m.config, advbase: 1, advskew: 10), family: .inet, context: ElectionContext(demotion: 240), now: 2)
        #expect(m.state == .backup && !actions.isEmpty)
    }

    @Test func reconfiguringAMasterReclaimsAndAdvertises() {
        var m = master()
        var c = m.config
        c.addresses.append(IPPrefix("192.0.2.51/24")!)
        let actions = m.configure(c, context: .init(), now: 1)
        #expect(actions.first == .claim(c.addresses) && actions.last == .announce(c.addresses) && transmitted(actions).count == 2)
        c.advskew = 30
        let again = m.configure(c, context: .init(), now: 2)
        #expect(!again.contains(.claim(c.addresses)) && transmitted(again)[0].0.advskew == 30)
    }

    @Test func onlyConfiguredFamiliesAreAdvertisedAndTimed() {
        var m = backup(config(addresses: ["192.0.2.50/32"]))
        #expect(Array(m.masterDownAt.keys) == [.inet])
        let actions = m.deadlineReached(context: .init(), now: 10 * s)
        #expect(transmitted(actions).map(\.1) == [.inet])
    }
}

/// The memory of the last authentic digest (the IPv6 twin of an IPv4 advertisement is not
/// hashed again) never lets through what a fresh HMAC would reject.
struct AuthenticationMemoryTests {
    @Test func onlyTheSameCounterAndDigestUnderTheSameConfiguration() {
        var m = backup()
        func accepts(_ header: CARPHeader) -> Bool { m.authenticate(header) }
        let good = advert(m.config, advbase: 1, advskew: 0, counter: 5)
        #expect(accepts(good) && accepts(good))
        var forged = good
        forged.digest[0] ^= 1
        #expect(!accepts(forged))
        var replayedDigest = good
        replayedDigest.counter = 6
        #expect(!accepts(replayedDigest))
        var rekeyed = m.config
        rekeyed.key = CARPKey(passphrase: "other")
        _ = m.configure(rekeyed, context: .init(), now: 1)
        #expect(!accepts(good))
        #expect(accepts(advert(rekeyed, advbase: 1, advskew: 0, counter: 5)))
        var moved = rekeyed
        moved.addresses = [IPPrefix("192.0.2.99/24")!]
        _ = m.configure(moved, context: .init(), now: 2)
        #expect(!accepts(advert(rekeyed, advbase: 1, advskew: 0, counter: 5)))
    }
}

extension VirtualHostMachine where Rules == VirtualHostRules {
    /// A CARP advertisement for this vhid, as the engine hands it over.
    mutating func receive(_ header: CARPHeader, family: AddressFamily, context: ElectionContext, now: UInt64) -> [CARPAction] {
        receive(.carp(header), family: family, context: context, now: now)
    }

    /// VRRP: the master's advertisement interval as last heard (centiseconds).
    var learnedInterval: UInt16? {
        if case .vrrp(let vrrp) = rules { vrrp.masterAdverInterval } else { nil }
    }
}
