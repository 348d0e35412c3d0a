import CARPControl
import Glibc
import CARPCore
import Testing
@testable import CARPDaemon

/// A FreeBSD 15 `carpver 3` vhid on a node: created with its words, kept, advertised as
/// VRRPv3 with a true checksum, its protocol fixed for life.
struct VRRPNodeTests {
    func vrrpVhid(_ t: TestNode, priority: String = "150", addresses: [String] = ["192.0.2.100/24"]) {
        t.request("set", [("carpdev", "eth0"), ("vhid", "51"), ("carpver", "3"), ("vrrpprio", priority), ("vrrpinterval", "100")]
                    + addresses.map { ("addr", $0) })
    }

    @Test func aVRRPVhidAdvertisesVersionThree() throws {
        let t = TestNode(hook: false)
        vrrpVhid(t)
        #expect(t.state(51) == .backup)
        t.advance(3_414_062_500)  // 3 x 1 s + (256 - 150)/256 s
        #expect(t.state(51) == .master)
        let sent = try #require(t.packets.vrrpAdverts().first)
        #expect(sent.vrid == 51 && sent.priority == 150 && sent.interval == 100)
        #expect(sent.addresses == [IPAddress("192.0.2.100")!])
        #expect(t.journal.lines.contains { $0.contains("vrrp inet prio 150 count 1") })
        let record = try #require(t.node.records().first)
        #expect(record.version == 3)
        #expect(record.vrrpPriority == 150)
        #expect(record.vrrpInterval == 100)
        var out = PrometheusText()
        t.node.writeMetrics(into: &out, startTime: 0)
        let lines = out.text.split(separator: "\n").map(String.init)
        let v = "ifname=\"vh51-eth0\",carpdev=\"eth0\",vhid=\"51\""
        #expect(lines.contains("carp_vhid_version{\(v)} 3"))
        #expect(lines.contains("carp_vhid_vrrp_priority{\(v)} 150"))
        #expect(lines.contains("carp_vhid_vrrp_interval_seconds{\(v)} 1.0"))
    }

    @Test func theProtocolOfAVhidCannotChange() {
        let t = TestNode(hook: false)
        vrrpVhid(t)
        let reply = t.send("set", [("carpdev", "eth0"), ("vhid", "51"), ("carpver", "2")])
        #expect(reply.errno == EINVAL && reply.message == "SIOCSVH: Invalid argument")
        // The same version again, and the VRRP words, are fine.
        t.request("set", [("carpdev", "eth0"), ("vhid", "51"), ("carpver", "3"), ("vrrpprio", "90")])
        #expect(t.node.records().first?.vrrpPriority == 90)
    }

    @Test func aRestartKeepsIt() throws {
        let t = TestNode(hook: false)
        vrrpVhid(t, priority: "200")
        let saved = t.files.contents.filter { $0.key.hasSuffix("carpd.state") }
        let u = TestNode(hook: false, contents: saved)
        let record = try #require(u.node.records().first)
        #expect(record.version == 3)
        #expect(record.vrrpPriority == 200)
        let config = try #require(u.node.engine.hosts.values.first?.machine.config)
        #expect(config.isVRRP)
    }

    @Test func anIPv6VirtualRouterTakesTheRFCsMAC() throws {
        let t = TestNode(hook: false)
        vrrpVhid(t, addresses: ["2001:db8::51/64"])
        let link = try #require(try t.routes.link(named: "vh51-eth0"))
        #expect(link.mac == [0, 0, 0x5e, 0, 2, 51])
        // The RFC's MAC is this vhid's virtual one: not kept as an lladdr set by hand.
        #expect(t.request("get", [("carpdev", "eth0"), ("vhid", "51")])["lladdr"] == nil)
        t.advance(3_414_062_500)
        #expect(t.state(51) == .master)
        let frame = try #require(t.packets.frames.last)
        #expect(Array(frame.frame[6..<12]) == [0, 0, 0x5e, 0, 2, 51])
    }

    @Test func aVRRPVhidWithIPv4KeepsOneMACForBothFamilies() throws {
        let t = TestNode(hook: false)
        vrrpVhid(t, addresses: ["192.0.2.100/24", "2001:db8::51/64"])
        #expect(try t.routes.link(named: "vh51-eth0")?.mac == [0, 0, 0x5e, 0, 1, 51])
        let u = TestNode(hook: false)
        u.request("set", [("carpdev", "eth0"), ("vhid", "52"), ("addr", "2001:db8::52/64")])
        #expect(try u.routes.link(named: "vh52-eth0")?.mac == [0, 0, 0x5e, 0, 1, 52])
    }

    @Test func shutdownResignsWithPriorityZero() {
        let t = TestNode(hook: false)
        vrrpVhid(t)
        t.advance(4_000_000_000)
        #expect(t.state(51) == .master)
        t.packets.frames = []
        t.node.beginShutdown()
        #expect(t.packets.vrrpAdverts().map(\.priority) == [0])
    }

    /// FreeBSD 15's rc.conf line and OpenBSD-style hostname.carp1, read at start.
    @Test func bootFilesCreateVRRPVhids() throws {
        let t = TestNode(hook: false, contents: [
            "/etc/carp/rc.conf": "ifconfig_eth0_alias0=\"inet vhid 51 carpver 3 vrrpprio 150 vrrpinterval 50 alias 192.0.2.100/24\"\n",
            "/etc/carp/hostname.carp1": "carpdev eth0 vhid 52 carpver 3 vrrpprio 90 inet 192.0.2.101/24\n",
        ])
        let records = t.node.records()
        let free = try #require(records.first { $0.vhid == 51 })
        #expect(free.version == 3)
        #expect(free.vrrpPriority == 150)
        #expect(free.vrrpInterval == 50)
        let open = try #require(records.first { $0.vhid == 52 })
        #expect(open.ifname == "carp1")
        #expect(open.vrrpPriority == 90)
        #expect(t.node.engine.hosts.values.allSatisfy { $0.machine.config.isVRRP })
    }
}
