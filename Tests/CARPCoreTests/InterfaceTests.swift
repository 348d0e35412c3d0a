import Testing
@testable import CARPCore

/// Carp interfaces in the engine: each owns its vhosts and reports which are MASTER.
struct InterfaceTests {
    func ownership(_ outputs: [EngineOutput]) -> [[UInt8]] {
        outputs.compactMap { if case .ownership(_, let masters) = $0 { masters.map(\.vhid) } else { nil } }
    }

    @Test func aVhidBelongsToItsInterfaceAndLeavesWithIt() {
        var e = CARPEngine()
        _ = e.setLink("eth0", up: true, now: 0)
        _ = e.configure(key, config(), interface: "carp0", named: true, counterSeed: 1, now: 0)
        #expect(e.interfaces["carp0"]?.vhosts == [key] && e.interfaces["carp0"]?.named == true)
        #expect(e.interface(of: key)?.name == "carp0")
        _ = e.remove(key, now: 1)
        #expect(e.interfaces.isEmpty && e.interface(of: key) == nil)
    }

    @Test func ownershipFollowsTheMachines() {
        var e = CARPEngine()
        _ = e.setLink("eth0", up: true, now: 0)
        _ = e.configure(key, config(), interface: "carp0", named: true, counterSeed: 1, now: 0)
        let takeover = e.deadlineReached(now: Timing.masterDown(advbase: 1, advskew: 0))
        #expect(ownership(takeover) == [[1]])
        #expect(takeover.contains(.ownership(interface: "carp0", masters: [key])))
        let yielded = e.receive(packet(advert(config(), advbase: 1, advskew: 0)), now: Timing.masterDown(advbase: 1, advskew: 0) + 1)
        #expect(ownership(yielded) == [[]])
        #expect(e.interfaces["carp0"]?.masters == [])
    }

    /// Several vhosts on one interface (what OpenBSD's carpnodes will make): the owner set
    /// lists the MASTER ones in attachment order.
    @Test func oneInterfaceWithSeveralVhosts() {
        var e = CARPEngine()
        _ = e.setLink("eth0", up: true, now: 0)
        let two = VirtualHostKey(carpdev: "eth0", vhid: 2)
        _ = e.configure(key, config(), interface: "carp0", named: true, counterSeed: 1, now: 0)
        _ = e.configure(two, config(vhid: 2, advskew: 100), interface: "carp0", named: true, counterSeed: 2, now: 0)
        #expect(e.interfaces["carp0"]?.vhosts == [key, two])
        let first = e.deadlineReached(now: Timing.masterDown(advbase: 1, advskew: 0))
        #expect(ownership(first) == [[1]])
        let second = e.deadlineReached(now: Timing.masterDown(advbase: 1, advskew: 100))
        #expect(ownership(second) == [[1, 2]])
        _ = e.remove(key, now: 5 * Timing.second)
        #expect(e.interfaces["carp0"]?.vhosts == [two] && e.interfaces["carp0"]?.masters == [two])
    }

    @Test func aCarpInterfaceWithoutVhidKeepsWhatItWasGiven() {
        var e = CARPEngine()
        var change = VirtualHostChange(ifname: "carp1")
        change.advskew = 50
        e.hold(change, for: "carp1")
        // Compared as plain values: swift-testing crashes expanding optional chains into this struct.
        let held = e.interfaces["carp1"]
        #expect(held?.pending?.advskew == Optional(UInt8(50)))
        #expect(held?.vhosts.isEmpty == true)
        _ = e.configure(key, config(), interface: "carp1", named: true, counterSeed: 1, now: 0)
        let attached = e.interfaces["carp1"]
        #expect(attached?.pending.map { _ in true } == nil)
        let removedAttached = e.removePending("carp1")
        #expect(!removedAttached)
        e.hold(change, for: "carp2")
        let removed = e.removePending("carp2")
        #expect(removed && e.interfaces["carp2"] == nil)
    }
}
