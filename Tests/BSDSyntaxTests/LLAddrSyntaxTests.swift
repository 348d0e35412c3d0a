import Testing
import CARPTypes
@testable import BSDSyntax

/// `lladdr`: a carp interface's MAC goes to carpd, a plain link's to netlink, a vhid keeps
/// the virtual MAC.
struct LLAddrSyntaxTests {
    let mac = MACAddress("02:00:5e:10:00:51")!

    @Test func whereTheMACGoes() throws {
        let carp = try IfconfigPlanner.plan(try parse("lladdr 02:00:5e:10:00:51"), ifname: "carp1",
                                            context: IfconfigContext(linkExists: false))
        guard case .set(let change) = carp.first else { Issue.record("no set: \(carp)"); return }
        #expect(change.lladdr == mac && change.ifname == "carp1")
        let plain = try IfconfigPlanner.plan(try parse("lladdr 2:0:5e:10:0:51 up"), ifname: "em0",
                                             context: IfconfigContext(linkExists: true))
        #expect(plain == [.link(.setMAC(mac)), .link(.setUp(true))])
        #expect(throws: UsageError("lladdr: vhid 3 uses 00:00:5e:00:01:03; set lladdr on a carp interface")) {
            try IfconfigPlanner.plan(try parse("vhid 3 lladdr 02:00:5e:10:00:51"), ifname: "em0", context: IfconfigContext(linkExists: true))
        }
    }

    @Test(arguments: [("lladdr 02:00", "lladdr 02:00: malformed link-level address"),
                      ("lladdr 01:00:5e:00:00:12", "lladdr 01:00:5e:00:00:12: not a unicast address"),
                      ("lladdr 00:00:00:00:00:00", "lladdr 00:00:00:00:00:00: not a unicast address")])
    func badMACs(_ line: String, _ message: String) {
        #expect(throws: UsageError(message)) { try parse(line) }
    }
}
