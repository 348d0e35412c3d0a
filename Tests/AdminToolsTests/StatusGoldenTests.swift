import Testing
import CARPControl
import CARPTypes
import Netlink
@testable import AdminTools

/// Golden files live in Tests/AdminToolsTests/Golden; `UPDATE_GOLDEN=1 swift test` rewrites them.
func golden(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let dir = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")) + "/Golden/"
    let path = dir + name
    if let update = getenv("UPDATE_GOLDEN"), String(cString: update) == "1" {
        let f = fopen(path, "w")!
        fputs(actual, f)
        fclose(f)
    }
    guard let f = fopen(path, "r") else { Issue.record("missing golden file \(path)", sourceLocation: sourceLocation); return }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    while true { let c = fgetc(f); if c == EOF { break }; bytes.append(UInt8(c)) }
    #expect(String(decoding: bytes, as: UTF8.self) == actual, sourceLocation: sourceLocation)
}

import Glibc

let mac0: [UInt8] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]

func link(_ index: Int32, _ name: String, kind: String? = "veth", mac: [UInt8] = mac0, alias: String? = nil, up: Bool = true, carrier: Bool = true) -> LinkInfo {
    LinkInfo(index: index, name: name, isUp: up, isRunning: up && carrier, hasCarrier: carrier, operstate: 6, mac: mac,
             parentIndex: 0, kind: kind, macvlanMode: kind == "macvlan" ? 1 : nil, alias: alias, mtu: 1500,
             flags: (up ? 0x1 : 0) | 0x2 | (up && carrier ? 0x40 : 0) | 0x1000)
}

func addr(_ index: Int32, _ text: String) -> AddressInfo {
    AddressInfo(ifindex: index, prefix: IPPrefix(text)!, flags: 0x80, scope: 0)
}

struct StatusGoldenTests {
    let records = """
        vhid=1
        ifname=carp0
        carpdev=em0
        state=MASTER
        advbase=1
        advskew=0
        peer=224.0.0.18
        peer6=ff02::12
        up=1
        named=1
        addr=192.0.2.10/24
        key=s3cret
        vhid=2
        ifname=vh2-em0
        carpdev=em0
        state=BACKUP
        advbase=1
        advskew=100
        peer=192.0.2.2
        peer6=ff02::12
        up=1
        named=0
        addr=192.0.2.50/32
        addr=2001:db8::50/64
        key=other
        vhid=0
        ifname=carp9
        carpdev=
        state=INIT
        advbase=1
        advskew=0
        peer=224.0.0.18
        peer6=ff02::12
        up=1
        named=1
        errno=0


        """

    var vhosts: [VirtualHostRecord] {
        get throws { try ControlMessage.decode(records).virtualHostRecords() }
    }
    let links = [LinkInfo(index: 1, name: "lo", isUp: true, isRunning: true, hasCarrier: true, operstate: 0, mac: [0, 0, 0, 0, 0, 0],
                          parentIndex: 0, kind: nil, macvlanMode: nil, alias: nil, mtu: 65536, flags: 0x49),
                 link(2, "em0"), link(3, "em1", carrier: false),
                 link(4, "carp0", kind: "macvlan", mac: [0, 0, 0x5e, 0, 1, 1], alias: "carpd vhid 1"),
                 link(5, "vh2-em0", kind: "macvlan", mac: [0, 0, 0x5e, 0, 1, 2], alias: "carpd vhid 2", up: false)]
    let addresses = [addr(1, "127.0.0.1/8"), addr(1, "::1/128"), addr(2, "192.0.2.1/24"), addr(2, "2001:db8::1/64"),
                     addr(2, "fe80::5054:ff:fe12:3456/64"), addr(4, "192.0.2.10/24")]

    func interfaces() throws -> [InterfaceStatus] {
        InterfaceModel.build(links: links, addresses: addresses, vhosts: try vhosts)
    }

    @Test func listsEveryInterfaceInBSDLayout() throws {
        let text = try interfaces().map { StatusRenderer.render($0) }.joined(separator: "\n") + "\n"
        try golden("ifconfig-a.txt", text)
    }

    @Test func showsKeysOnlyWhenAsked() throws {
        let all = try interfaces()
        let carp0 = all.first { $0.name == "carp0" }!, em0 = all.first { $0.name == "em0" }!
        try golden("ifconfig-k-carp0.txt", StatusRenderer.render(carp0, showKeys: true) + "\n")
        try golden("ifconfig-k-em0.txt", StatusRenderer.render(em0, showKeys: true) + "\n")
        #expect(!StatusRenderer.render(carp0).contains("key"))
    }

    @Test func hidesFreeBSDStyleMacvlansAndShowsPendingCarp() throws {
        let names = try interfaces().map(\.name)
        #expect(names == ["lo", "em0", "em1", "carp0", "carp9"])
    }

    @Test func netstatBlock() throws {
        let stats: [String: UInt64] = ["ipackets": 1, "ipackets6": 2, "badsum": 1, "badver": 3, "opackets": 10, "preempt": 1]
        try golden("netstat-s.txt", NetstatCommand.render(stats, hideZero: false) + "\n")
        try golden("netstat-ss.txt", NetstatCommand.render(stats, hideZero: true) + "\n")
        // carpd's own counter: a line of its own after the block, only when not zero.
        #expect(!NetstatCommand.render(stats, hideZero: false).contains("claim"))
        var failed = stats
        failed["claimfail"] = 2
        #expect(NetstatCommand.render(failed, hideZero: true).hasSuffix("\n\t2 address claims failed"))
    }

    /// `ifconfig NAME` asks carpd and the kernel only about NAME; it must show exactly what
    /// the full list shows for NAME.
    @Test func oneInterfaceMatchesTheList() throws {
        let vhosts = try vhosts
        // vh7-em0: a macvlan carpd made for a vhid it no longer has.
        let links = links + [link(6, "vh7-em0", kind: "macvlan", alias: "carpd vhid 7")]
        func one(_ name: String) -> String? {
            let l = links.first { $0.name == name }
            return InterfaceModel.single(record: vhosts.first { $0.ifname == name }, link: l,
                                         addresses: addresses.filter { $0.ifindex == l?.index },
                                         onDev: vhosts.filter { $0.carpdev == name }).map { StatusRenderer.render($0) }
        }
        let all = try interfaces()
        for name in ["lo", "em0", "em1", "carp0", "carp9"] {
            #expect(one(name) == all.first { $0.name == name }.map { StatusRenderer.render($0) }, "\(name)")
        }
        // The FreeBSD-style vhid's macvlan can be named; a carpd macvlan carpd no longer
        // knows, and a name nothing has, cannot.
        #expect(one("vh2-em0")?.contains("carp: BACKUP carpdev em0 vhid 2 advbase 1 advskew 100") == true)
        #expect(one("vh7-em0") == nil)
        #expect(one("em5") == nil)
    }

    @Test func bsdFlags() {
        #expect(BSDFlags.describe(BSDFlags.fromLinux(0x1043)) == "flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>")
        #expect(BSDFlags.describe(BSDFlags.fromLinux(0x49)) == "flags=49<UP,LOOPBACK,RUNNING>")
        #expect(BSDFlags.describe(BSDFlags.fromLinux(0x1002)) == "flags=8802<BROADCAST,SIMPLEX,MULTICAST>")
    }
}
