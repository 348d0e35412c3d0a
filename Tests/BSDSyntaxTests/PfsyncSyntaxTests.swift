import BSDSyntax
import CARPTypes
import Testing

/// pfsync(4)'s words on both BSDs, the plan for pfsync0, and FreeBSD's rc.conf keys.
struct PfsyncSyntaxTests {
    func plan(_ line: String, ifname: String = "pfsync0") throws(UsageError) -> [IfconfigOperation] {
        try IfconfigPlanner.plan(try parse(line), ifname: ifname, context: IfconfigContext(linkExists: false))
    }

    @Test func openBSDAndPfSenseSpellings() throws {
        var expected = PfsyncChange()
        expected.syncdev = .some("em1")
        expected.syncpeer = .some(IPAddress("203.0.113.2"))
        expected.maxupd = 64
        expected.deferUpdates = true
        expected.up = true
        #expect(try plan("syncdev em1 syncpeer 203.0.113.2 maxupd 64 defer up") == [.pfsync(expected)])
        var pfsense = PfsyncChange()
        pfsense.syncdev = .some("igb1")
        pfsense.up = true
        #expect(try plan("up syncif igb1") == [.pfsync(pfsense)])
        var undo = PfsyncChange()
        undo.syncdev = .some(nil)
        undo.syncpeer = .some(nil)
        undo.deferUpdates = false
        undo.up = false
        #expect(try plan("-syncdev -syncpeer -defer down") == [.pfsync(undo)])
        var destroy = PfsyncChange()
        destroy.destroy = true
        #expect(try plan("destroy") == [.pfsync(destroy)])
        var version = PfsyncChange()
        version.version = 1301
        #expect(try plan("version 1301") == [.pfsync(version)])
    }

    @Test(arguments: [
        ("maxupd 256", "maxupd 256: too large"), ("maxupd x", "maxupd x: invalid"),
        ("syncpeer 224.0.0.240", "syncpeer 224.0.0.240: not a unicast address"), ("syncpeer nowhere", "syncpeer nowhere: bad address"),
        ("version 1200", "version 1200: must be 1301 or 1400"), ("syncdev a/b", "syncdev a/b: bad interface name"),
        ("192.0.2.1/24", "pfsync0: a pfsync interface has no addresses"),
        ("vhid 1", "pfsync0: vhid, carpdev and the other CARP words belong to a carp interface"),
    ])
    func refusals(_ line: String, _ message: String) {
        #expect(throws: UsageError(message)) { try plan(line) }
    }

    @Test func onlyPfsync0AndOnlyOnPfsync() {
        #expect(throws: UsageError("pfsync1: only pfsync0 is provided (one conntrackd per carpd)")) { try plan("up", ifname: "pfsync1") }
        #expect(throws: UsageError("syncdev: only a pfsync interface has it")) {
            try IfconfigPlanner.plan(try parse("syncdev em1"), ifname: "em0", context: IfconfigContext(linkExists: true))
        }
    }

    @Test func freeBSDRcConf() {
        let text = """
            pfsync_enable="YES"
            pfsync_syncdev="em1"
            pfsync_syncpeer="203.0.113.2"
            pfsync_ifconfig="maxupd 64"
            """
        let parsed = BootConfig.parse(fileName: "rc.conf", path: "/etc/carp/rc.conf", contents: text)
        #expect(parsed.problems.isEmpty)
        guard case .ifconfig(let ifname, let request)? = parsed.items.first?.kind else { Issue.record("no item"); return }
        #expect(ifname == "pfsync0" && parsed.items.first?.line == 1)
        #expect(request.pfsync.syncdev == .some("em1") && request.pfsync.maxupd == 64 && request.up == true)
        let missing = BootConfig.parse(fileName: "rc.conf", path: "/etc/carp/rc.conf", contents: "pfsync_enable=YES\n")
        #expect(missing.problems.map(\.description) == ["/etc/carp/rc.conf:1: pfsync_syncdev is not set"])
        #expect(BootConfig.parse(fileName: "rc.conf", path: "p", contents: "pfsync_enable=NO\npfsync_syncdev=em1\n").items.isEmpty)
    }

    @Test func hostnamePfsyncComesBeforeTheCarpInterfaces() {
        #expect(BootConfig.order(["hostname.carp0", "rc.conf", "hostname.pfsync0", "hostname.em0", "sysctl.conf"])
            == ["sysctl.conf", "hostname.em0", "hostname.pfsync0", "hostname.carp0", "rc.conf"])
    }
}
