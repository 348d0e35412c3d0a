import CARPControl
import CARPCore
import Glibc
import Testing
@testable import CARPDaemon

/// OpenBSD's `carpnodes 1:0,2:100 balancing ip` on a node: a virtual host per carpnode, each
/// advertising on its own with the HMAC over all the addresses; the addresses on the
/// loopback whatever the states; carpd's nftables table following the owners; ARP answered
/// with the group MAC by the MASTER of the lowest vhid; all of it back after a restart.
struct BalancingNodeTests {
    func balanced(_ t: TestNode, nodes: String = "1:0,2:100", addresses: [String] = ["192.0.2.10/24"]) -> ControlMessage {
        t.files.executables.insert("/usr/sbin/nft")
        return t.send("set", [("ifname", "carp0"), ("carpdev", "eth0"), ("carpnodes", nodes), ("key", "s3cret")]
                        + addresses.map { ("addr", $0) })
    }

    @Test func eachCarpnodeIsAVirtualHostThatAdvertisesOnItsOwn() throws {
        let t = TestNode(hook: false)
        #expect(balanced(t).errno == 0)
        #expect(t.state(1) == .backup)
        #expect(t.state(2) == .backup)
        #expect(t.node.rehearsed.count == 1)  // their takeover, as a vhid set with `vhid` has
        let records = t.node.records().filter { $0.ifname == "carp0" }
        #expect(records.map(\.vhid) == [1, 2])
        #expect(records.map(\.advskew) == [0, 100])
        #expect(records.allSatisfy { $0.balancing == .ip })
        // No link of their own: the addresses are host addresses on lo on every node.
        #expect(try t.routes.link(named: "carp0") == nil)
        #expect(t.routes.held[1]?.contains(IPPrefix("192.0.2.10/32")!) == true)
        t.advance(3_000_000_000)
        #expect(t.state(1) == .master)
        #expect(t.state(2) == .backup)
        let adverts = t.packets.frames.filter { $0.frame[12] == 0x08 && $0.frame[13] == 0x00 }
        #expect(adverts.count == 1)
        // From the carpdev's own MAC (eth0 of the fakes), never the group's multicast one.
        #expect(adverts.first?.ifindex == 2)
        #expect(t.journal.lines.contains { $0.contains("garp") } == false)
    }

    /// The second carpnode's advertisement authenticates over every address of the
    /// interface, as OpenBSD's does (the golden bytes: CarpnodeAdvertisementTests).
    @Test func aCarpnodeSignsEveryAddressOfItsInterface() throws {
        let t = TestNode(hook: false)
        _ = balanced(t, nodes: "1:100,2:0", addresses: ["192.0.2.10/24", "2001:db8::10/64"])
        t.advance(3_000_000_000)
        #expect(t.state(2) == .master)
        let frame = try #require(t.packets.frames.last { $0.frame[12] == 0x08 && $0.frame[13] == 0x00 })
        let header = try #require(CARPHeader(bytes: frame.frame[34..<70]))
        #expect(header.vhid == 2)
        let auth = CARPAuthenticator(key: CARPKey(passphrase: "s3cret"), vhid: 2,
                                     addresses: [IPAddress("192.0.2.10")!, IPAddress("2001:db8::10")!])
        #expect(header.digest == auth.digest(counter: header.counterBytes))
    }

    @Test func theTableFollowsTheOwners() throws {
        let t = TestNode(hook: false)
        _ = balanced(t)
        let path = "/run/test/balancing.nft"
        // Both BACKUP: the group's traffic reaches the table, which takes none of it.
        #expect(t.files.contents[path]?.contains("ether daddr 01:00:5e:00:01:01 jump carp0") == true)
        #expect(t.files.contents[path]?.contains("elements") == false)
        t.advance(3_000_000_000)
        // A takeover rewrites only the owned sets, in one transaction.
        let owners = try #require(t.files.contents["/run/test/balancing-owners.nft"])
        #expect(owners == "flush set netdev carpd carp0_own4\nadd element netdev carpd carp0_own4 { 0.0.0.0 . 0.0.0.0, 0.0.0.1 . 0.0.0.1 }\n")
        #expect(t.journal.lines.contains("run /usr/sbin/nft -f /run/test/balancing-owners.nft"))
        // MASTER of the lowest vhid: it answers ARP for the addresses with the group MAC.
        #expect(t.packets.listening)
        #expect(t.packets.memberships.contains("01:00:5e:00:01:01@2"))
        var request: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0, 0x64, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]
        request += [2, 0, 0, 0, 0, 0x64, 192, 0, 2, 100, 0, 0, 0, 0, 0, 0, 192, 0, 2, 10]
        t.packets.frames = []
        t.node.neighborRequest(request, ifindex: 2)
        let reply = try #require(t.packets.frames.first)
        #expect(Array(reply.frame[22..<28]) == [1, 0, 0x5e, 0, 1, 1])
        // Not for an address of ours, or heard on another interface: no answer.
        t.packets.frames = []
        t.node.neighborRequest(request, ifindex: 7)
        #expect(t.packets.frames.isEmpty)
        // INIT (CARP off) takes nothing and answers nothing.
        #expect(t.send("sysctl", [("name", "net.inet.carp.allow"), ("value", "0")]).errno == 0)
        #expect(t.state(1) == .initial)
        #expect(t.files.contents["/run/test/balancing-owners.nft"] == "flush set netdev carpd carp0_own4\n")
        t.packets.frames = []  // the bow-out's advertisement
        t.node.neighborRequest(request, ifindex: 2)
        #expect(t.packets.frames.isEmpty)
    }

    /// ip-stealth and ip-unicast: the unicast virtual MAC, joined on the carpdev, the same hash.
    @Test(arguments: [BalancingMode.ipStealth, .ipUnicast])
    func stealthUsesTheUnicastMAC(_ mode: BalancingMode) throws {
        let t = TestNode(hook: false)
        #expect(t.send("set", [("ifname", "carp0"), ("carpdev", "eth0"), ("carpnodes", "1:0,2:100"), ("balancing", mode.rawValue),
                               ("addr", "192.0.2.10/24")]).errno == 0)
        t.files.executables.insert("/usr/sbin/nft")
        t.advance(3_000_000_000)
        let script = try #require(t.files.contents["/run/test/balancing.nft"])
        #expect(script.contains("ether daddr 00:00:5e:00:01:01 jump carp0"))
        #expect(t.packets.memberships == ["00:00:5e:00:01:01@2"])
        #expect(t.node.records().first?.balancing == mode)
    }

    /// OpenBSD 4.5-5.8's `balancing arp`: carp_hash of the requester's MAC picks the carpnode
    /// (doc/balancing.md's vectors, key "secret": ...:04 and ...:06 index 0, ...:01 index 1).
    @Test func arpModeAnswersByCarpHash() throws {
        let t = TestNode(hook: false)
        t.files.executables.insert("/usr/sbin/nft")
        #expect(t.send("set", [("ifname", "carp0"), ("carpdev", "eth0"), ("carpnodes", "1:0,2:100"), ("balancing", "arp"),
                               ("key", "secret"), ("addr", "192.0.2.10/24")]).errno == 0)
        t.advance(3_000_000_000)
        #expect(t.state(1) == .master)
        #expect(t.files.contents["/run/test/balancing.nft"]?.contains("ether daddr @carp0_macs meta pkttype set host accept") == true)
        #expect(t.files.contents["/run/test/balancing-owners.nft"]?.contains("add element netdev carpd carp0_macs { 00:00:5e:00:01:01 }") == true)
        // Its advertisements come from the carpnode's own MAC, out the carpdev.
        let advert = try #require(t.packets.frames.last { $0.frame[12] == 0x08 })
        #expect(Array(advert.frame[6..<12]) == [0, 0, 0x5e, 0, 1, 1])
        func ask(from last: UInt8) -> [UInt8]? {
            let mac: [UInt8] = [2, 0, 0, 0, 0, last]
            var request: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + mac + [0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]
            request += mac + [192, 0, 2, 100, 0, 0, 0, 0, 0, 0, 192, 0, 2, 10]
            t.packets.frames = []
            t.node.neighborRequest(request, ifindex: 2)
            return t.packets.frames.first?.frame
        }
        let reply = try #require(ask(from: 4))
        #expect(Array(reply[6..<12]) == [0, 0, 0x5e, 0, 1, 1])   // from the carpnode's MAC
        #expect(Array(reply[22..<28]) == [0, 0, 0x5e, 0, 1, 1])  // "192.0.2.10 is at 00:00:5e:00:01:01"
        #expect(ask(from: 6) != nil)
        #expect(ask(from: 1) == nil)  // carpnode 2's, which the other node answers
    }

    /// FreeBSD's net.inet.carp.arpbalance (the seed spells it net.inet.arpbalance): two vhids
    /// carry one address; ARP picks the vhid by the sender's address.
    @Test func arpbalanceSharesAnAddressBetweenVhids() throws {
        let t = TestNode(hook: false)
        t.files.executables.insert("/usr/sbin/nft")
        t.addVhid(1, addresses: ["192.0.2.10/24"])
        #expect(t.send("set", [("carpdev", "eth0"), ("vhid", "2"), ("addr", "192.0.2.10/24")]).message
                == "192.0.2.10: already in use by vhid 1@eth0")
        #expect(t.send("sysctl", [("name", "net.inet.arpbalance"), ("value", "1")]).errno == 0)
        #expect(t.node.engine.settings.arpbalance == 1)
        t.advance(3_000_000_000)
        #expect(t.state(1) == .master)
        let vh1 = try #require(try t.routes.link(named: "vh1-eth0")).index
        #expect(t.routes.held[vh1]?.contains(IPPrefix("192.0.2.10/24")!) == true)
        // The second holder: vhid 1 gives the address up to the loopback, both share it.
        t.addVhid(2, advskew: 100, addresses: ["192.0.2.10/24"])
        #expect(t.node.engine.arpBalanced.count == 2)
        #expect(t.routes.held[vh1]?.isEmpty == true)
        #expect(t.routes.held[1]?.contains(IPPrefix("192.0.2.10/32")!) == true)
        func ask(from last: UInt8) -> [UInt8]? {
            var request: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 0, last, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1]
            request += [2, 0, 0, 0, 0, last, 192, 0, 2, last, 0, 0, 0, 0, 0, 0, 192, 0, 2, 10]
            t.packets.frames = []
            t.node.neighborRequest(request, ifindex: 2)
            return t.packets.frames.first?.frame
        }
        // 192.0.2.100 % 2 = 0: vhid 1, MASTER here, answers with its MAC; .101 picks vhid 2.
        let reply = try #require(ask(from: 100))
        #expect(Array(reply[22..<28]) == [0, 0, 0x5e, 0, 1, 1])
        #expect(ask(from: 101) == nil)
        // Not off while they share it; once vhid 2 is gone, vhid 1 has it on its own link again.
        #expect(t.send("sysctl", [("name", "net.inet.carp.arpbalance"), ("value", "0")]).message
                == "net.inet.carp.arpbalance: vhid 1@eth0 shares its address with another: remove the address from one first")
        #expect(t.send("remove", [("carpdev", "eth0"), ("vhid", "2")]).errno == 0)
        #expect(t.node.engine.arpBalanced.isEmpty)
        #expect(t.routes.held[vh1]?.contains(IPPrefix("192.0.2.10/24")!) == true)
        #expect(t.routes.held[1]?.contains(IPPrefix("192.0.2.10/32")!) == false)
    }

    /// OpenBSD's carp0 configured word by word: the carpnodes wait for the carpdev.
    @Test func carpnodesGivenBeforeTheCarpdevAreKept() {
        let t = TestNode(hook: false)
        t.files.executables.insert("/usr/sbin/nft")
        #expect(t.send("set", [("ifname", "carp0"), ("carpnodes", "1:0,2:100"), ("key", "s3cret")]).errno == 0)
        #expect(t.node.engine.hosts.isEmpty)
        #expect(t.send("set", [("ifname", "carp0"), ("carpdev", "eth0"), ("addr", "192.0.2.10/24")]).errno == 0)
        #expect(t.node.records().filter { $0.ifname == "carp0" }.map(\.vhid) == [1, 2])
        #expect(t.node.records().first?.balancing == .ip)
    }

    /// OpenBSD's /etc/hostname.carp0 for a balanced pair, as carp(4) shows it.
    @Test func aBootFileCreatesTheCarpnodes() throws {
        let t = TestNode(hook: false, contents: [
            "/etc/carp/hostname.carp0": "inet 192.0.2.10 255.255.255.0 NONE carpnodes 1:0,2:100 balancing ip carpdev eth0 pass s3cret\n"
                + "inet6 alias 2001:db8::10 64\n",
        ])
        let records = t.node.records().filter { $0.ifname == "carp0" }
        #expect(t.logs.lines.filter { $0.contains("hostname") }.isEmpty)
        #expect(records.map(\.vhid) == [1, 2])
        #expect(records.map(\.advskew) == [0, 100])
        #expect(records.first?.balancing == .ip)
        #expect(records.first?.addresses == [IPPrefix("192.0.2.10/24")!, IPPrefix("2001:db8::10/64")!])
    }

    /// OpenBSD's `balancing none` with several carpnodes: the leader (lowest vhid) is an
    /// ordinary carp interface, the macvlan carp0 with its MAC; the others advertise from
    /// their own MACs and never touch the addresses. No table, no loopback addresses.
    @Test func balancingNoneFailsOverOnTheLeader() throws {
        let t = TestNode(hook: false)
        t.files.executables.insert("/usr/sbin/nft")
        #expect(t.send("set", [("ifname", "carp0"), ("carpdev", "eth0"), ("carpnodes", "2:0,1:100"), ("balancing", "none"),
                               ("key", "s3cret"), ("addr", "192.0.2.10/24")]).errno == 0)
        let carp0 = try #require(try t.routes.link(named: "carp0"))
        #expect(carp0.mac == [0, 0, 0x5e, 0, 1, 1])
        t.advance(Timing.masterDown(advbase: 1, advskew: 0) + 1)
        #expect(t.state(2) == .master && t.state(1) == .backup)
        // vhid 2's advertisement, from its own MAC; the addresses wait for the leader.
        let advert = try #require(t.packets.frames.last { $0.frame[12] == 0x08 })
        #expect(Array(advert.frame[6..<12]) == [0, 0, 0x5e, 0, 1, 2])
        #expect(t.routes.held[carp0.index]?.isEmpty ?? true)
        #expect(t.routes.held[1]?.contains(IPPrefix("192.0.2.10/32")!) != true)
        t.advance(Timing.masterDown(advbase: 1, advskew: 100))
        #expect(t.state(1) == .master)
        #expect(t.routes.held[carp0.index] == [IPPrefix("192.0.2.10/24")!])
        #expect(t.files.contents["/run/test/balancing.nft"] == nil)
        // A later change keeps the mode (OpenBSD would make it `ip`).
        #expect(t.send("set", [("ifname", "carp0"), ("advbase", "2")]).errno == 0)
        #expect(t.node.records().filter { $0.ifname == "carp0" }.allSatisfy { $0.balancing == BalancingMode.none })
        // The leader's bow-out takes the addresses; the follower's changes nothing.
        #expect(t.send("remove", [("ifname", "carp0")]).errno == 0)
        #expect(try t.routes.link(named: "carp0") == nil)
    }

    @Test func whatLinuxCannotDoIsRefusedBeforeAnythingChanges() {
        let t = TestNode(hook: false)
        #expect(t.send("set", [("ifname", "carp2"), ("carpdev", "eth0"), ("carpnodes", "6:0,7:0"), ("carpver", "3"),
                               ("addr", "192.0.2.12/24")]).message == "carpnodes: not with carpver 3")
        #expect(t.send("set", [("carpdev", "eth0"), ("vhid", "9"), ("carpnodes", "9:0,10:0")]).message
                == "carpnodes: only on a carp interface")
        #expect(t.node.engine.hosts.isEmpty)
        #expect(t.files.contents["/run/test/balancing.nft"] == nil)
    }

    @Test func aRestartBringsEveryCarpnodeBack() {
        let t = TestNode(hook: false)
        _ = balanced(t, addresses: ["192.0.2.10/24", "2001:db8::10/64"])
        let saved = t.files.contents.filter { $0.key.hasSuffix("carpd.state") }
        #expect(saved.values.first?.contains("carpnodes=1:0,2:100") == true)
        let u = TestNode(hook: false, contents: saved)
        u.files.executables.insert("/usr/sbin/nft")
        #expect(u.node.records().filter { $0.ifname == "carp0" }.map(\.vhid) == [1, 2])
        #expect(u.state(2) == .backup)
    }

    /// A start removes the table a crashed carpd left, and runs nft for nothing else: the
    /// last script in the runtime directory tells (none, or the clean exit's). Without a
    /// leftover nftables is not even looked for: carpd opens libnftables (and the shared C
    /// library it needs, 2-3 MB resident) the first time it asks.
    @Test func aStartRemovesALeftoverTableOnly() {
        let t = TestNode(hook: false)
        _ = balanced(t)
        let script = t.files.contents.filter { $0.key == "/run/test/balancing.nft" }
        let crashed = TestNode(hook: false, contents: script, executables: ["/usr/sbin/nft"])
        #expect(crashed.journal.lines.contains("run /usr/sbin/nft -f /run/test/balancing.nft"))
        #expect(crashed.files.contents["/run/test/balancing.nft"] == BalancingRuleset(groups: []).script)
        let fresh = TestNode(hook: false, executables: ["/usr/sbin/nft"])
        #expect(!fresh.journal.lines.contains { $0.contains("nft") })
        #expect(!fresh.files.probed.contains { $0.hasSuffix("/nft") })
        let clean = TestNode(hook: false, contents: crashed.files.contents.filter { $0.key == "/run/test/balancing.nft" },
                             executables: ["/usr/sbin/nft"])
        #expect(!clean.journal.lines.contains { $0.contains("nft") })
        #expect(!clean.files.probed.contains { $0.hasSuffix("/nft") })
    }

    @Test func oneCarpnodeLeftIsAnOrdinaryCarpInterface() throws {
        let t = TestNode(hook: false)
        _ = balanced(t)
        #expect(t.send("set", [("ifname", "carp0"), ("carpnodes", "5:20")]).errno == 0)
        #expect(t.node.records().map(\.vhid) == [5])
        #expect(t.node.records().first?.balancing == nil)
        #expect(t.node.records().first?.advskew == 20)
        #expect(try t.routes.link(named: "carp0")?.mac == [0, 0, 0x5e, 0, 1, 5])
        #expect(t.routes.held[1]?.contains(IPPrefix("192.0.2.10/32")!) == false)
        #expect(t.node.records().first?.addresses == [IPPrefix("192.0.2.10/24")!])
    }
}
