import Testing
import CARPTypes
@testable import AdminTools

/// `netstat --libxo`: FreeBSD's containers and key names, -ss hiding the zeros as in text.
struct LibxoTests {
    let stats: [String: UInt64] = ["ipackets": 835247, "ipackets6": 83533, "badttl": 1, "badsum": 2, "badvhid": 50,
                                   "opackets": 4, "opackets6": 1, "onomem": 3]

    @Test func carpStatisticsAsFreeBSDWritesThem() {
        let json = NetstatCommand.libxo("carp", NetstatCommand.lines, stats, hideZero: true, ownLines: NetstatCommand.ownLines,
                                        style: Libxo.Style(format: .json))
        #expect(json == "{\"__version\": \"1\", \"statistics\": {\"carp\": {\"received-inet-packets\": 835247, "
            + "\"received-inet6-packets\": 83533, \"dropped-wrong-ttl\": 1, \"dropped-bad-checksum\": 2, "
            + "\"dropped-bad-vhid\": 50, \"sent-inet-packets\": 4, \"sent-inet6-packets\": 1, \"send-failed-memory-error\": 3}}}")
        let xml = NetstatCommand.libxo("carp", NetstatCommand.lines, ["badauth": 2], hideZero: true, style: Libxo.Style(format: .xml))
        #expect(xml == "<statistics __version=\"1\"><carp><dropped-bad-authentication>2</dropped-bad-authentication></carp></statistics>")
    }

    @Test func everyCounterIsThereWithOneS() {
        let json = NetstatCommand.libxo("pfsync", NetstatCommand.pfsyncLines, [:], hideZero: false, style: Libxo.Style(format: .json, pretty: true))
        #expect(json.contains("\"send-inet6-packets\": 0") && json.contains("\"dropped-failed-lookup\": 0"))
        #expect(json.split(separator: "\n").count == NetstatCommand.pfsyncLines.count + 7)
    }

    @Test func theOptionsLibxoTakes() throws {
        #expect(try Libxo.parse("json,pretty") == Libxo.Style(format: .json, pretty: true))
        #expect(try Libxo.parse("text") == Libxo.Style())
        #expect(throws: ToolError("--libxo: yaml: unknown option (json, xml, text, pretty)")) { try Libxo.parse("yaml") }
    }
}

/// `ifconfig --libxo`: the CARP state under FreeBSD's libxo names.
struct StatusXOTests {
    @Test func aCarpInterfaceAsJSON() {
        var r = VirtualHostRecord(ifname: "carp0", carpdev: "em0", vhid: 1)
        r.state = .master
        r.advskew = 100
        r.named = true
        r.key = CARPKey(passphrase: "s\"3")
        var s = InterfaceStatus(name: "carp0", index: 4, flags: 0x8843, mtu: 1500, lladdr: [0, 0, 0x5e, 0, 1, 1], status: .master)
        s.carp = r
        s.groups = ["carp"]
        s.addresses = [.init(IPPrefix("192.0.2.10/24")!)]
        let json = Libxo.document("interface-information", .object([Libxo.Field("interface", .list([StatusXO.value(s, showKeys: true)]))]),
                                  style: Libxo.Style(format: .json))
        #expect(json == "{\"__version\": \"1\", \"interface-information\": {\"interface\": [{\"ifname\": \"carp0\", \"flags-hex\": \"8843\", "
            + "\"mtu\": 1500, \"lladdr\": \"00:00:5e:00:01:01\", \"groups\": [\"carp\"], \"status\": \"master\", "
            + "\"address\": [{\"address\": \"192.0.2.10\", \"prefixlen\": 24}], \"carp\": [{\"carp-state\": \"MASTER\", \"vhid\": 1, "
            + "\"advbase\": 1, \"advskew\": 100, \"carpdev\": \"em0\", \"demote\": 0, \"carp_key\": \"s\\\"3\", "
            + "\"carp_peer\": \"224.0.0.18\", \"carp_peer6\": \"ff02::12\"}]}]}}")
        let xml = Libxo.document("interface-information", .object([Libxo.Field("interface", .list([StatusXO.value(s, showKeys: false)]))]),
                                 style: Libxo.Style(format: .xml))
        #expect(xml.hasPrefix("<interface-information __version=\"1\"><interface><ifname>carp0</ifname>"))
        #expect(xml.contains("<groups>carp</groups>") && xml.contains("<carp><carp-state>MASTER</carp-state>") && !xml.contains("carp_key"))
    }

    /// A VRRPv3 vhid: its priority and interval, and nothing of CARP's.
    @Test func aVRRPVhidAsJSON() {
        var r = VirtualHostRecord(ifname: "vh51-em0", carpdev: "em0", vhid: 51)
        r.state = .backup
        (r.version, r.vrrpPriority, r.vrrpInterval) = (3, 150, 4)
        let json = Libxo.document("carp", StatusXO.carpValue(r, showKeys: true, named: false), style: Libxo.Style(format: .json))
        #expect(json == "{\"__version\": \"1\", \"carp\": {\"carp-state\": \"BACKUP\", \"vhid\": 51, \"version\": 3, "
            + "\"vrrp-prio\": 150, \"vrrp-interval\": 4}}")
    }
}

/// `netstat -p carp`: one line per vhid, both dialects, with since and why.
struct CarpSummaryTests {
    @Test func oneScreenOfVirtualHosts() {
        var freebsd = VirtualHostRecord(ifname: "vh1-em0", carpdev: "em0", vhid: 1)
        freebsd.state = .backup
        freebsd.advskew = 100
        freebsd.addresses = [IPPrefix("192.0.2.50/32")!, IPPrefix("2001:db8::50/64")!]
        freebsd.since = 100
        freebsd.reason = "initialization complete"
        var openbsd = VirtualHostRecord(ifname: "carp0", carpdev: "em0", vhid: 251)
        openbsd.named = true
        openbsd.state = .master
        openbsd.demote = 50
        openbsd.addresses = [IPPrefix("192.0.2.10/24")!]
        let text = CarpSummary.render([freebsd, openbsd], node: CarpSummary.Node(demotion: 240, preempt: 1), pfsync: nil, time: { "t\($0)" })
        #expect(text == """
            CARP: allow 1 preempt 1 demotion 240
            Interface  Vhid  State   Advbase  Advskew  Demote  Since  Reason                   Addresses
            em0           1  BACKUP        1      100       0  t100   initialization complete  192.0.2.50/32 2001:db8::50/64
            carp0       251  MASTER        1        0      50  -      -                        192.0.2.10/24
            """)
        let json = Libxo.document("carp-status", CarpSummary.value([openbsd], node: CarpSummary.Node(), pfsync: nil), style: Libxo.Style(format: .json))
        #expect(json.contains("\"vhost\": [{\"interface\": \"carp0\", \"vhid\": 251, \"carp-state\": \"MASTER\""))
    }
}
