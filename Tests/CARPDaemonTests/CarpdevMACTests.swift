import CARPCore
import Testing
@testable import CARPDaemon

/// `lladdr` set to the carpdev's own MAC: no macvlan, the VIP on eth0 while MASTER only,
/// eth0's link never touched, and the MAC kept out of the HMAC.
struct CarpdevMACTests {
    @Test func theVIPLivesOnTheCarpdevWhileMaster() {
        let t = TestNode(hook: false)
        t.request("set", [("ifname", "carp3"), ("carpdev", "eth0"), ("vhid", "53"), ("key", "s3cret"),
                          ("lladdr", "02:00:00:00:00:02"), ("addr", "192.0.2.53/24")])
        #expect(t.journal.index(of: "create") == nil, "a macvlan with eth0's MAC: \(t.journal.lines)")
        let key = VirtualHostKey(carpdev: "eth0", vhid: 53)
        #expect(t.node.engine.hosts[key]?.machine.config.authenticatedLLAddr == nil)
        t.journal.clear()
        t.masterDown()
        #expect(t.routes.held[2]?.contains(IPPrefix("192.0.2.53/24")!) == true)
        #expect(!t.journal.lines.contains { $0.contains("up eth0") || $0.contains("down eth0") })
        #expect(t.request("get", [("ifname", "carp3")])["lladdr"] == "02:00:00:00:00:02")
        t.request("set", [("ifname", "carp3"), ("state", "backup")])
        #expect(t.routes.held[2]?.contains(IPPrefix("192.0.2.53/24")!) == false)
        #expect(!t.journal.lines.contains { $0.contains("down eth0") })
    }

    @Test func anotherMACIsTheMacvlansAndHashed() {
        let t = TestNode(hook: false)
        t.request("set", [("ifname", "carp4"), ("carpdev", "eth0"), ("vhid", "54"), ("key", "s3cret"),
                          ("lladdr", "02:00:5e:10:00:54"), ("addr", "192.0.2.54/24")])
        #expect(t.journal.lines.contains { $0.hasPrefix("create carp4") })
        let config = t.node.engine.hosts[VirtualHostKey(carpdev: "eth0", vhid: 54)]?.machine.config
        #expect(config?.authenticatedLLAddr == [2, 0, 0x5e, 0x10, 0, 0x54])
    }
}
