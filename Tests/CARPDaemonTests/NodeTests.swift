import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Logging
import Testing
@testable import CARPDaemon

extension TestNode {
    /// One control request as root; fails the test on an error reply.
    @discardableResult
    func request(_ command: String, _ pairs: [(String, String)]) -> ControlMessage {
        let reply = send(command, pairs)
        #expect(reply.errno == 0, "\(command): \(reply.message ?? "")")
        return reply
    }
}

struct NodeTakeoverTests {
    @Test func aNewVhidGetsItsMacvlanAndWaitsAsBackup() {
        let t = TestNode()
        t.addVhid()
        #expect(t.journal.lines.contains("create vh1-eth0"))
        #expect(t.state() == .backup)
        #expect(t.routes.table.values.first { $0.name == "vh1-eth0" }?.isUp == false)
        #expect(t.files.sysctls["net/ipv4/conf/eth0/arp_ignore"] == "1")
        #expect(t.events == ["1@eth0 INIT->BACKUP"])
    }

    /// What a takeover's link up would otherwise pay is paid at creation: the virtual MAC
    /// stays in the carpdev's unicast filter while the vhid exists, and IPv6 is off on an
    /// IPv4-only macvlan until its vhid gets an IPv6 address (on again before a claim needs it).
    @Test func aMacvlanIsReadiedForItsClaimsAtCreation() {
        let t = TestNode()
        t.addVhid(addresses: ["192.0.2.10/24"])
        #expect(t.packets.heldUnicast == ["00:00:5e:00:01:01@2"])
        #expect(t.files.sysctls["net/ipv6/conf/vh1-eth0/disable_ipv6"] == "1")
        #expect(t.send("set", [("carpdev", "eth0"), ("vhid", "1"), ("addr", "2001:db8::10/64")]).errno == 0)
        #expect(t.files.sysctls["net/ipv6/conf/vh1-eth0/disable_ipv6"] == "0")
        t.masterDown()
        #expect(t.routes.held[11] == [IPPrefix("192.0.2.10/24")!, IPPrefix("2001:db8::10/64")!])
        #expect(t.send("remove", [("carpdev", "eth0"), ("vhid", "1")]).errno == 0)
        #expect(t.packets.heldUnicast.isEmpty)
        // A dual-stack vhid keeps IPv6 from the start.
        t.addVhid(2)
        #expect(t.files.sysctls["net/ipv6/conf/vh2-eth0/disable_ipv6"] == nil)
        #expect(t.packets.heldUnicast == ["00:00:5e:00:01:02@2"])
    }

    /// Each kind of vhid rehearses its takeover once, at configuration, on copies: nothing
    /// leaves and nothing changes (Node+Rehearsal.swift).
    @Test func theTakeoverIsRehearsedWithoutEffects() {
        let t = TestNode()
        t.addVhid()
        t.addVhid(2, addresses: ["192.0.2.20/24", "2001:db8::20/64"])
        #expect(t.node.rehearsed.count == 1)
        #expect(!t.journal.lines.contains { $0.hasPrefix("frames[") || $0.hasPrefix("batch[") })
        #expect(t.state() == .backup && t.state(2) == .backup)
        #expect(t.events == ["1@eth0 INIT->BACKUP", "2@eth0 INIT->BACKUP"])
        t.addVhid(3, addresses: ["192.0.2.30/24"])
        #expect(t.node.rehearsed.count == 2)
    }

    /// carp_master_down's order, on Linux: the advertisements (out the carpdev, the macvlan
    /// is still down), the link up and the VIPs on in one netlink batch, then the
    /// announcements; hooks and the event for MASTER only once the VIPs are there and the
    /// announcements are out (spawning a hook takes longer than sending them). No address
    /// dump on the way.
    @Test func takeoverOrder() {
        let t = TestNode()
        t.addVhid()
        t.hookExits()
        t.journal.clear()
        let dumps = t.routes.dumps
        t.masterDown()
        #expect(t.state() == .master)
        let batch = "batch[up vh1-eth0, add 192.0.2.10/24 vh1-eth0 flags 0x200, add 2001:db8::10/64 vh1-eth0 flags 0x202]"
        #expect(Array(t.journal.lines.prefix(4)) == ["frames[advert inet 1/0, advert inet6 1/0]", batch,
                                                     "frames[garp 192.0.2.10, na 2001:db8::10]",
                                                     "spawn /etc/carp/notify.d/10-log 1@eth0 MASTER"])
        #expect(t.events.last == "1@eth0 BACKUP->MASTER")
        #expect(t.routes.held[11] == [IPPrefix("192.0.2.10/24")!, IPPrefix("2001:db8::10/64")!])
        #expect(t.routes.dumps == dumps)
    }

    @Test func manyVhidsTakeOverInOneBatch() {
        let t = TestNode(hook: false)
        for vhid: UInt8 in 1...20 { t.addVhid(vhid, addresses: ["198.51.100.\(vhid)/32"]) }
        t.journal.clear()
        t.advance(Timing.masterDown(advbase: 1, advskew: 0))
        #expect((1...20).allSatisfy { t.state(UInt8($0)) == .master })
        let batches = t.journal.lines.filter { $0.hasPrefix("batch[") }
        #expect(batches.count == 1)
        #expect(batches.first?.split(separator: ", ").count == 40)
        // Every advertisement in one send, every announcement in another.
        #expect(t.journal.lines.filter { $0.hasPrefix("frames[") }.count == 2)
    }

    /// The master-down timer runs from when the kernel received the advertisement, not
    /// from when carpd read it; an arrival before the last timer run, or more than a second
    /// back, is not taken.
    @Test func timersRunFromThePacketsArrival() throws {
        let t = TestNode(hook: false)
        t.addVhid(advskew: 100, addresses: ["192.0.2.10/24"])
        t.clock.advance(2 * Timing.second)
        let read = t.clock.now  // 3 s
        t.node.receive(t.peerAdvert(advskew: 0, addresses: ["192.0.2.10/24"]), arrival: read - 3_000_000)
        let masterDown = Timing.masterDown(advbase: 1, advskew: 100)
        #expect(t.node.nextDeadline == read - 3_000_000 + masterDown)
        t.node.receive(t.peerAdvert(advskew: 0, addresses: ["192.0.2.10/24"]), arrival: read - 2 * Timing.second)
        #expect(t.node.nextDeadline == read - Timing.second + masterDown)
        t.node.deadlineReached()
        t.node.receive(t.peerAdvert(advskew: 0, addresses: ["192.0.2.10/24"]), arrival: read - 1_000_000)
        #expect(t.node.nextDeadline == read + masterDown)
        t.node.receive(t.peerAdvert(advskew: 0, addresses: ["192.0.2.10/24"]))
        #expect(t.node.nextDeadline == read + masterDown)
    }

    /// A MASTER that hears a better one: the link down before its addresses go (no MLD from
    /// the virtual MAC), the BACKUP hook after.
    @Test func yieldingTakesTheLinkDownFirst() {
        let t = TestNode()
        t.addVhid(advskew: 100)
        t.hookExits()
        t.masterDown()
        t.hookExits()
        t.journal.clear()
        t.node.receive(t.peerAdvert(advskew: 0))
        t.node.carryOut()
        #expect(t.state() == .backup)
        #expect(t.journal.lines.first == "batch[down vh1-eth0, del 192.0.2.10/24 vh1-eth0, del 2001:db8::10/64 vh1-eth0]")
        #expect(t.journal.lines.dropFirst().first == "spawn /etc/carp/notify.d/10-log 1@eth0 BACKUP")
        #expect(t.routes.held[11]?.isEmpty == true)
        #expect(t.events.last == "1@eth0 MASTER->BACKUP")
    }

    /// `ifconfig ... down` on a MASTER: its bow-out leaves before the link goes down.
    @Test func bowOutBeforeTheLinkGoesDown() {
        let t = TestNode(hook: false)
        t.addVhid()
        t.masterDown()
        t.journal.clear()
        t.request("set", [("carpdev", "eth0"), ("vhid", "1"), ("up", "0")])
        // (The change re-advertises at once, as any change does; the bow-out follows it.)
        #expect(t.journal.lines.first?.hasSuffix("advert inet 255/255, advert inet6 255/255]") == true)
        #expect(t.journal.lines.dropFirst().first?.hasPrefix("batch[down vh1-eth0") == true)
        #expect(t.state() == .initial)
    }
}

struct NodeFailureTests {
    /// An address that will not go on: counted, logged, the node demoted (a healthy peer
    /// takes over), no MASTER hook; retried with the next advertisement, and once it holds
    /// the demotion goes and the hook runs.
    @Test func aFailedClaimIsCountedDemotedAndRetried() {
        let t = TestNode()
        t.addVhid()
        t.hookExits()
        var refuse = true
        t.routes.failing = { request in
            if refuse, case .addAddress(_, let p, _) = request, p == IPPrefix("192.0.2.10/24")! { return 28 } // NLE_PERM
            return nil
        }
        t.journal.clear()
        t.masterDown()
        #expect(t.state() == .master)
        #expect(t.node.engine.statistics[.claimfail] == 1)
        #expect(t.node.engine.settings.demotion == 240)
        #expect(t.node.engine.groupDemote["carp"] == 1)
        #expect(t.logs.lines.contains { $0.contains("carp: 1@eth0: claim failed: 192.0.2.10/24") })
        #expect(!t.journal.lines.contains { $0.hasPrefix("spawn") })
        // The demoted advertisement says so: advskew 240 (FreeBSD) and demote 1 (OpenBSD).
        #expect(t.packets.adverts().last?.advskew == 240 && t.packets.adverts().last?.demote == 1)
        refuse = false
        t.journal.clear()
        t.advance(2 * Timing.second)  // the next advertisement: advbase 1 + the demoted 240/256
        #expect(t.journal.lines.first == "batch[up vh1-eth0, add 192.0.2.10/24 vh1-eth0 flags 0x200]")
        #expect(t.journal.lines.contains("spawn /etc/carp/notify.d/10-log 1@eth0 MASTER"))
        #expect(t.node.engine.settings.demotion == 0 && t.node.engine.groupDemote["carp"] == 0)
        #expect(t.node.engine.statistics[.claimfail] == 1)
    }

    /// A release whose deletion fails is not forgotten: the BACKUP keeps trying.
    @Test func aFailedReleaseIsRetried() {
        let t = TestNode(hook: false)
        t.addVhid(advskew: 100, addresses: ["192.0.2.10/24"])
        t.masterDown()
        var refuse = true
        t.routes.failing = { request in
            if refuse, case .deleteAddress = request { return 28 }
            return nil
        }
        t.node.receive(t.peerAdvert(advskew: 0, addresses: ["192.0.2.10/24"]))
        t.node.carryOut()
        #expect(t.state() == .backup && t.routes.held[11] == [IPPrefix("192.0.2.10/24")!])
        refuse = false
        t.journal.clear()
        t.advance(Node.releaseRetryDelay)
        #expect(t.journal.lines.first == "batch[down vh1-eth0, del 192.0.2.10/24 vh1-eth0]")
        #expect(t.routes.held[11]?.isEmpty == true)
    }

    @Test func sendErrorsDemoteAfterThreeInARow() {
        let t = TestNode(hook: false)
        t.addVhid(addresses: ["192.0.2.10/24"])
        t.masterDown()
        t.packets.failing = { _ in ENETDOWN }
        t.advance(3 * Timing.second)
        #expect(t.node.engine.settings.demotion == 240)
        t.packets.failing = { _ in nil }
        t.advance(6 * Timing.second)  // three advertisements at the demoted interval (1 + 240/256 s)
        #expect(t.node.engine.settings.demotion == 0)
    }
}

struct NodeHookTests {
    @Test func hooksRunOneAtATimeAndAFailureIsLogged() {
        let t = TestNode()
        t.files.executables.insert("/etc/carp/notify.d/20-other")
        t.addVhid()
        // INIT->BACKUP: two hooks, the second waits for the first.
        #expect(t.journal.lines.filter { $0.hasPrefix("spawn") } == ["spawn /etc/carp/notify.d/10-log 1@eth0 BACKUP"])
        t.processes.exit(101, .exited(3))
        #expect(t.logs.lines.contains("error: notify: /etc/carp/notify.d/10-log: exit status 3"))
        #expect(t.journal.lines.last == "spawn /etc/carp/notify.d/20-other 1@eth0 BACKUP")
    }

    @Test func aHookThatHangsIsKilledAndTheNextRuns() {
        let t = TestNode()
        t.files.executables.insert("/etc/carp/notify.d/20-other")
        t.addVhid()
        t.advance(CommandQueue.timeLimit)
        #expect(t.journal.lines.contains("kill 101 \(SIGKILL)"))
        t.processes.exit(101, .signaled(SIGKILL))
        #expect(t.logs.lines.contains("error: notify: /etc/carp/notify.d/10-log: killed after 10 s"))
        #expect(t.journal.lines.last == "spawn /etc/carp/notify.d/20-other 1@eth0 BACKUP")
    }

    /// Another component's child ending is not taken for the hook.
    @Test func anExitThatIsNotTheHooksChangesNothing() {
        let t = TestNode()
        t.addVhid()
        t.processes.exit(999, .exited(0))
        #expect(!t.node.hooks.isIdle)
    }
}

struct NodeShutdownTests {
    /// SIGTERM: each MASTER bows out, then its IPv4 VIPs are deleted and IPv6 switched off
    /// on the link (nothing from the virtual MAC), the macvlans go in one group request,
    /// and the sysctls carpd changed get their old values back.
    @Test func shutdownBowsOutThenLeavesSilently() {
        let t = TestNode(hook: false)
        t.addVhid()
        t.masterDown()
        t.journal.clear()
        t.node.shutdown()
        #expect(t.journal.lines[0] == "frames[advert inet 255/255, advert inet6 255/255]")
        #expect(t.journal.lines[1] == "batch[del 192.0.2.10/24 vh1-eth0]")
        #expect(t.journal.lines[2] == "sysctl net/ipv6/conf/vh1-eth0/disable_ipv6=1")
        #expect(t.journal.lines.contains("delete group [vh1-eth0]"))
        #expect(!t.journal.lines.contains { $0.hasPrefix("batch[down") })
        #expect(t.files.sysctls["net/ipv4/conf/eth0/arp_ignore"] == "0")
        #expect(t.files.contents["/run/test/sysctl.saved"] == nil)
    }

    /// An exiting MASTER keeps its (address-less) macvlan until its successor is heard, so
    /// that frames still sent to the virtual MAC meanwhile are forwarded, not lost.
    @Test func theMacvlansStayUntilTheSuccessorIsHeard() {
        let t = TestNode(hook: false)
        t.addVhid()
        t.masterDown()
        t.node.beginShutdown()
        #expect(t.node.awaitingSuccessors == [VirtualHostKey(carpdev: "eth0", vhid: 1)])
        #expect(!t.journal.lines.contains { $0.hasPrefix("delete group") })
        // The addresses are gone (IPv6 by disable_ipv6, which the fake does not model); the link is up.
        #expect(t.routes.table[11]?.isUp == true && t.routes.held[11]?.contains(IPPrefix("192.0.2.10/24")!) == false)
        #expect(t.files.sysctls["net/ipv6/conf/vh1-eth0/disable_ipv6"] == "1")
        t.node.receive(t.peerAdvert(advskew: 100))
        #expect(t.node.awaitingSuccessors.isEmpty)
        t.node.finishShutdown()
        #expect(t.journal.lines.contains("delete group [vh1-eth0]"))
        #expect(t.routes.table[11] == nil)
    }

    @Test func theSavedStateRebuildsTheSameVhids() {
        let t = TestNode(hook: false)
        t.addVhid(advskew: 100)
        t.request("set", [("ifname", "carp3"), ("advbase", "2")])
        let saved = t.files.contents["/run/test/carpd.state"]!
        let u = TestNode(hook: false)
        u.files.contents["/run/test/carpd.state"] = saved
        u.node.start()
        #expect(u.node.records().map(\.ifname) == t.node.records().map(\.ifname))
        #expect(u.node.records().map(\.advskew) == [100, 0])
        #expect(u.node.engine.interfaces["carp3"]?.pending?.advbase == 2)
    }
}
