import CARPControl
import Glibc
import Testing
@testable import CARPDaemon

/// `netstart [-n] [interface ...]`: the configuration files read again while carpd runs.
struct NetstartTests {
    let path = "/etc/carp/hostname.carp0"

    func file(advskew: Int) -> String {
        "# the preferred master\ninet 192.0.2.10/24 vhid 1 carpdev eth0  pass s3cret advskew \(advskew)\n"
    }

    func node(advskew: Int) -> TestNode {
        let t = TestNode(hook: false)
        t.files.contents[path] = file(advskew: advskew)
        return t
    }

    func advskew(_ t: TestNode) -> String? {
        t.request("get", [("ifname", "carp0")])["advskew"]
    }

    @Test func dryRunListsTheLinesAndAppliesNothing() {
        let t = node(advskew: 100)
        let reply = t.request("netstart", [("ifname", "carp0"), ("dryrun", "1")])
        #expect(reply.values("line") == ["\(path):2: inet 192.0.2.10/24 vhid 1 carpdev eth0 pass s3cret advskew 100"])
        #expect(reply.values("problem").isEmpty)
        #expect(t.node.engine.hosts.isEmpty)
    }

    @Test func aChangedFileTakesEffectAndIsSaved() {
        let t = node(advskew: 100)
        t.request("netstart", [("ifname", "carp0")])
        #expect(advskew(t) == "100")
        t.files.contents[path] = file(advskew: 40)
        t.request("netstart", [("ifname", "carp0")])
        #expect(advskew(t) == "40")
        #expect(t.files.contents["/run/test/carpd.state"]?.contains("advskew=40") == true)
        #expect(t.logs.lines.contains("info: netstart carp0: 1 of 1 lines applied"))
        #expect(!t.logs.lines.contains { $0.contains("s3cret") })
    }

    @Test func otherInterfacesAndTheirProblemsAreLeftAlone() {
        let t = node(advskew: 100)
        t.files.contents["/etc/carp/hostname.carp1"] = "vhid 300 carpdev eth0\n"
        t.files.contents["/etc/carp/sysctl.conf"] = "net.inet.carp.preempt=1\n"
        let one = t.request("netstart", [("ifname", "carp0")])
        #expect(one.values("problem").isEmpty)
        #expect(t.node.engine.settings.preempt == 0)
        let all = t.request("netstart", [])
        #expect(all.values("problem") == ["/etc/carp/hostname.carp1:1: vhid 300: too large"])
        #expect(all.values("line").count == 1)
    }

    @Test func unconfiguredBadAndUnprivilegedRequestsAreRefused() {
        let t = node(advskew: 100)
        let missing = t.request("netstart", [("ifname", "carp7")])
        #expect(missing.values("problem") == ["/etc/carp/hostname.carp7:0: carp7: not configured (no hostname.carp7, no ifconfig_carp7 in rc.conf)"])
        let bad = t.node.handleControl(ControlMessage([("netstart", "1"), ("ifname", "carp/0")]), root: true)
        #expect(bad.errno == EINVAL && bad.message == "carp/0: bad interface name")
        let user = t.node.handleControl(ControlMessage([("netstart", "1"), ("dryrun", "1")]), root: false)
        #expect(user.errno == EPERM)
        #expect(!user.encoded.contains("s3cret"))
    }

    /// FreeBSD's inet6 options in a boot file set the eth0 sysctls, before its addresses.
    @Test func inet6OptionsOfABootFileSetTheirSysctls() {
        let t = TestNode(hook: false)
        t.files.contents["/etc/carp/hostname.eth0"] = "inet6 2001:db8::2/64 no_dad -accept_rtadv\n"
        let reply = t.request("netstart", [("ifname", "eth0")])
        #expect(reply.values("problem").isEmpty)
        #expect(t.files.sysctls["net/ipv6/conf/eth0/accept_dad"] == "0")
        #expect(t.files.sysctls["net/ipv6/conf/eth0/accept_ra"] == "0")
        let dad = t.journal.index(of: "sysctl net/ipv6/conf/eth0/accept_dad"), add = t.journal.index(of: "link eth0 addAddress")
        #expect(dad != nil && add != nil && dad! < add!)
    }
}
