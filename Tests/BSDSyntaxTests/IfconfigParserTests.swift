import Testing
import CARPTypes
@testable import BSDSyntax

func parse(_ line: String) throws(UsageError) -> IfconfigRequest {
    try IfconfigParser.parse(line.split(separator: " ").map(String.init))
}

struct IfconfigParserTests {
    @Test func openBSDAnnouncementLine() throws {
        let r = try parse("vhid 1 carpdev eth0 pass s3cret 192.0.2.10/24")
        #expect(r.carp.vhid == 1 && r.carp.carpdev == "eth0" && r.carp.key == CARPKey(passphrase: "s3cret"))
        #expect(r.addresses == [IPPrefix("192.0.2.10/24")!] && r.addressAction == .replace)
    }

    @Test func hostnameIfLineWithBareNetmaskAndNONE() throws {
        let r = try parse("inet 192.0.2.10 255.255.255.0 NONE vhid 1 carpdev eth0 pass s3cret advskew 100")
        #expect(r.addresses == [IPPrefix("192.0.2.10/24")!] && r.carp.advskew == 100 && r.carp.vhid == 1)
        #expect(try parse("inet6 2001:db8::10 64").addresses == [IPPrefix("2001:db8::10/64")!])
        #expect(try parse("inet6 alias 2001:db8::10 64 vhid 3").addresses == [IPPrefix("2001:db8::10/64")!])
        let hex = try parse("inet 192.0.2.10 netmask 0xffffff80 broadcast 192.0.2.127")
        #expect(hex.addresses == [IPPrefix("192.0.2.10/25")!])
    }

    @Test func freeBSDAliasLine() throws {
        let r = try parse("inet 192.0.2.50/32 vhid 1 advskew 100 pass s3cret alias")
        #expect(r.addressAction == .add && r.carp.vhid == 1 && r.addresses.first?.length == 32)
        let v6 = try parse("inet6 2001:db8::50 prefixlen 64 vhid 2 -alias")
        #expect(v6.addresses == [IPPrefix("2001:db8::50/64")!] && v6.addressAction == .delete)
    }

    @Test func everyCarpWord() throws {
        let r = try parse("advbase 0 advskew 254 state MASTER carppeer 192.0.2.2 peer6 2001:db8::2 up mtu 1400")
        #expect(r.carp.advbase == 0 && r.carp.advskew == 254 && r.carp.state == .master && r.up == true && r.mtu == 1400)
        #expect(r.carp.peer == IPv4Address("192.0.2.2")! && r.carp.peer6 == IPv6Address("2001:db8::2")!)
        #expect(try parse("-carppeer mcast6 down").carp.peer == .carpGroup)
        #expect(try parse("create").create && (try parse("destroy")).destroy)
        #expect(try parse("advskew 5").carpWordsUsed == ["advskew"])
        #expect(try parse("vhid 1 carpver 2").carp.vhid == 1)
        let balanced = try parse("carpnodes 1:0,2:100 balancing IP")
        #expect(balanced.carp.carpnodes == [CarpNode(vhid: 1, advskew: 0), CarpNode(vhid: 2, advskew: 100)])
        #expect(balanced.carp.balancing == .ip)
    }

    @Test(arguments: [
        ("vhid 300", "vhid 300: too large"), ("vhid 0", "vhid 0: too small"), ("vhid x", "vhid x: invalid"),
        ("advskew 255", "advskew 255: too large"), ("advbase 256", "advbase 256: too large"),
        ("advskew", "'advskew' requires argument"), ("vhid 1 pass", "'pass' requires argument"),
        ("advskw 3", "\"advskw\": unknown keyword (did you mean \"advskew\"?)"),
        ("frobnicate", "\"frobnicate\": unknown keyword"),
        ("carpnodes 1:0,x", "non parsable arg: x"), ("carpnodes 255:0", "vhid 255: value too large"),
        ("carpnodes 1:255", "advskew 255: value too large"), ("carpnodes 1:0,1:5", "vhid 1: used twice"),
        ("carpnodes " + (1...33).map { "\($0):0" }.joined(separator: ","), "too many carp nodes"),
        ("balancing random", "balancing random: unknown mode"),
        ("carppeer 2001:db8::1", "carppeer: only IPv4 addresses are supported"),
        ("state foo", "state foo: must be init, backup or master"),
        ("inet 2001:db8::1", "2001:db8::1: not an IPv4 address"),
        ("netmask 255.255.255.0", "netmask: no address given before it"),
        ("inet 192.0.2.1 netmask 255.0.255.0", "netmask 255.0.255.0: bad value"),
        ("mtu 10", "mtu 10: too small"),
        ("vrrpinterval 4096", "vrrpinterval 4096: too large"), ("carpver 4", "carpver 4: version must be 2 or 3"),
    ])
    func errorsReadLikeBSD(_ line: String, _ message: String) {
        #expect(throws: UsageError(message)) { try parse(line) }
    }

    @Test func grammarNamesAreUnique() {
        let names = IfconfigGrammar.rules.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(names).isDisjoint(with: IfconfigGrammar.notYetSupported.keys))
    }

    @Test func netmasks() throws {
        #expect(try IfconfigGrammar.netmaskLength("0xffffff00") == 24)
        #expect(try IfconfigGrammar.netmaskLength("255.255.255.255") == 32)
        #expect(try IfconfigGrammar.netmaskLength("0.0.0.0") == 0)
        #expect(throws: UsageError.self) { try IfconfigGrammar.netmaskLength("255.255.0.255") }
        #expect(try IfconfigGrammar.demoteAmount("128") == 128)
        #expect(throws: UsageError("carpdemote 129: too large")) { try IfconfigGrammar.demoteAmount("129") }
    }

    @Test func sysctlNames() {
        #expect(SysctlNames.isOurs("net.inet.carp") && SysctlNames.isOurs("net.inet.carp.preempt"))
        #expect(SysctlNames.isOurs("net.inet.ip.forwarding") && !SysctlNames.isOurs("net.ipv4.ip_forward"))
        #expect(!SysctlNames.isOurs("net.inet.carpet"))
        #expect(SysctlNames.Operand("a.b=c=d") == SysctlNames.Operand("a.b=c=d"))
        #expect(SysctlNames.Operand("a.b=1").value == "1" && SysctlNames.Operand("a.b").value == nil)
        #expect(SysctlNames.carpNames.contains("net.inet.carp.senderr_demotion_factor"))
    }
}
