import Testing
import CARPTypes
@testable import BSDSyntax

/// FreeBSD's inet6 interface options: the Linux sysctl each sets, applied before the
/// addresses of the same line, and FreeBSD's ioctl wording for the ones Linux cannot do.
struct Inet6OptionTests {
    func plan(_ line: String, _ ifname: String = "em0", carp: Bool = false) throws(UsageError) -> [IfconfigOperation] {
        try IfconfigPlanner.plan(try parse(line), ifname: ifname,
                                 context: IfconfigContext(linkExists: !carp, isCarpInterface: carp))
    }

    @Test func noDADComesBeforeTheAddress() throws {
        #expect(try plan("inet6 2001:db8::2/64 up no_dad") == [
            .nd6(.noDAD, true), .link(.setUp(true)), .link(.addAddress(IPPrefix("2001:db8::2/64")!)),
        ])
    }

    @Test func eachOptionAndItsNegation() throws {
        #expect(try plan("inet6 accept_rtadv -ifdisabled -auto_linklocal no_radr -no_dad") == [
            .nd6(.acceptRtadv, true), .nd6(.ifdisabled, false), .nd6(.autoLinklocal, false), .nd6(.noRadr, true), .nd6(.noDAD, false),
        ])
        #expect(try plan("-accept_rtadv accept_rtadv") == [.nd6(.acceptRtadv, true)], "the last word wins")
        #expect(try plan("inet6 nud -no_prefer_iface -defaultif").isEmpty, "what Linux always does")
    }

    @Test func theSysctlsAndTheirSense() {
        #expect(ND6Option.noDAD.path("em0") == "net/ipv6/conf/em0/accept_dad")
        #expect(ND6Option.noDAD.sysctl.on == "0" && ND6Option.noDAD.isOn("0") && !ND6Option.noDAD.isOn("1"))
        #expect(ND6Option.autoLinklocal.sysctl.off == "1" && ND6Option.autoLinklocal.isOn("3"))
        let disable = ND6Option.ifdisabled.sysctl
        #expect(ND6Option.acceptRtadv.isOn("2"))
        #expect([disable.key, disable.on, disable.off] == ["disable_ipv6", "1", "0"])
        #expect(ND6Option.describe(0x121) == "nd6 options=121<PERFORMNUD,AUTO_LINKLOCAL,NO_DAD>")
    }

    @Test(arguments: [
        ("-nud", "-nud: ioctl(SIOCSIFINFO_IN6): Operation not supported (Linux always performs NUD)"),
        ("no_prefer_iface", "no_prefer_iface: ioctl(SIOCSIFINFO_IN6): Operation not supported (Linux prefers the outgoing interface's address)"),
        ("defaultif", "defaultif: ioctl(SIOCSDEFIFACE_IN6): Operation not supported (Linux has no default IPv6 interface)"),
        ("no_dda", "\"no_dda\": unknown keyword (did you mean \"no_dad\"?)"),
    ])
    func refusedLikeFreeBSD(_ word: String, _ message: String) {
        #expect(throws: UsageError(message)) { try parse(word) }
        if word != "no_dda" { #expect(throws: UsageError(message)) { try parse("inet6 \(word)") } }
    }

    @Test func notOnACarpOrPfsyncInterface() {
        #expect(throws: UsageError("carp0: no_dad: set it on the carpdev")) { try plan("no_dad", "carp0", carp: true) }
        #expect(throws: UsageError("pfsync0: ifdisabled: not settable on a pfsync interface")) { try plan("ifdisabled", "pfsync0") }
    }
}
