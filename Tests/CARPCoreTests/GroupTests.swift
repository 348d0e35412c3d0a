import Testing
@testable import CARPCore

/// OpenBSD's interface groups: a carp interface's demote count is the sum of its groups'
/// counters (its own count when that is 0), and `group` / `-group` carry its own count.
struct GroupTests {
    let one = VirtualHostKey(carpdev: "eth0", vhid: 1), two = VirtualHostKey(carpdev: "eth0", vhid: 2)

    /// carp1 (vhid 1) and carp2 (vhid 2) on eth0, carp1 also in fw-a.
    func twoInterfaces(linkUp: Bool = true) -> CARPEngine {
        var e = CARPEngine()
        _ = e.setLink("eth0", up: linkUp, now: 0)
        _ = e.configure(one, config(vhid: 1), interface: "carp1", named: true, counterSeed: 1, now: 0)
        _ = e.configure(two, config(vhid: 2, addresses: ["192.0.2.60/24"]), interface: "carp2", named: true, counterSeed: 2, now: 0)
        _ = e.setGroups("carp1", ["carp", "fw-a"], now: 0)
        return e
    }

    @Test func eachInterfaceSumsItsOwnGroups() throws {
        var e = twoInterfaces()
        _ = try e.adjustGroupDemote("fw-a", by: 10, now: 1)
        #expect(e.demoteCount(for: one) == 10 && e.demoteCount(for: two) == 0)
        _ = try e.adjustGroupDemote("carp", by: 5, now: 1)
        #expect(e.demoteCount(for: one) == 15 && e.demoteCount(for: two) == 5)
        _ = e.setGroups("carp1", ["fw-a"], now: 2)
        #expect(e.demoteCount(for: one) == 10, "carp1 left carp")
        #expect(e.groupNames == ["carp", "fw-a"])
    }

    @Test func theAdvertisementCarriesTheInterfacesCount() throws {
        var e = twoInterfaces()
        _ = e.force(one, .master, now: 1)
        _ = e.force(two, .master, now: 1)
        let outputs = try e.adjustGroupDemote("fw-a", by: 3, now: 2)
        let sent = outputs.compactMap { output -> (UInt8, UInt8)? in
            if case .vhost(let key, .transmit(let t)) = output { (key.vhid, wire(t).demote) } else { nil }
        }
        #expect(sent.contains { $0.0 == 1 && $0.1 == 3 })
        #expect(!sent.contains { $0.0 == 1 && $0.1 != 3 } && !sent.contains { $0.0 == 2 && $0.1 != 0 })
    }

    /// A carpdev going down adds 1 to the interface's own count and to each of its groups;
    /// leaving a group takes that 1 out of it, joining one puts it in.
    @Test func theOwnCountMovesWithMembership() {
        var e = twoInterfaces(linkUp: false)
        #expect(e.groupDemote["fw-a"] == 1 && e.groupDemote["carp"] == 2)
        _ = e.setGroups("carp1", ["carp"], now: 1)
        #expect(e.groupDemote["fw-a"] == 0 && e.demoteCount(for: one) == 2)
        _ = e.setGroups("carp1", ["carp", "fw-b"], now: 1)
        #expect(e.groupDemote["fw-b"] == 1 && e.demoteCount(for: one) == 3)
        _ = e.setLink("eth0", up: true, now: 2)
        #expect(e.groupDemote["fw-b"] == 0 && e.groupDemote["carp"] == 0 && e.demoteCount(for: one) == 0)
    }
}
