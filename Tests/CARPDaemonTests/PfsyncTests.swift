import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Testing
@testable import CARPDaemon

/// conntrackd's configuration, its statistics, and when the node is in sync.
struct ConntrackdTests {
    let setup = ConntrackdSetup(directory: "/run/x")

    @Test func unicastToTheSyncpeer() {
        var settings = PfsyncRecord()
        settings.syncdev = "sync0"
        settings.syncpeer = IPAddress("203.0.113.2")
        let text = ConntrackdConfig.render(settings, local: IPAddress("203.0.113.1")!, setup: setup)
        for line in ["\tUDP {", "\t\tIPv4_address 203.0.113.1", "\t\tIPv4_Destination_Address 203.0.113.2", "\t\tInterface sync0",
                     "\tHashSize 32768", "\tLockFile /run/x/conntrackd.lock", "\t\tPath /run/x/conntrackd.ctl",
                     "\tLogFile /run/x/conntrackd.log", "\t\tStartupResync on", "\tSystemd off", "\t\tTCPWindowTracking Off"] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "\(line)")
        }
        #expect(!text.contains("Multicast"))
        // Balanced braces: conntrackd refuses anything else.
        #expect(text.filter { $0 == "{" }.count == text.filter { $0 == "}" }.count)
    }

    @Test func multicastWithoutASyncpeer() {
        var settings = PfsyncRecord()
        settings.syncdev = "em1"
        let text = ConntrackdConfig.render(settings, local: IPAddress("198.51.100.7")!, setup: setup)
        #expect(text.contains("\tMulticast {\n\t\tIPv4_address 225.0.0.50\n\t\tGroup 3780\n\t\tIPv4_interface 198.51.100.7\n\t\tInterface em1\n"))
    }

    let general = """
        cache internal:
        current active connections:\t           3
        connections created:\t\t           5\tfailed:\t           0

        cache external:
        current active connections:\t          12
        connections created:\t\t          14\tfailed:\t           1
        connections updated:\t\t           2\tfailed:\t           2

        UDP traffic (active device=sync0):
                          96 Bytes sent                  480 Bytes recv
                           6 Pckts sent                   10 Pckts recv
                           1 Error send                    0 Error recv
        """
    let network = """
        network statistics:
        \trecv:
        \t\tWrong protocol version:\t                   4
        \t\tMalformed header:\t                   5
        \t\tBad message type:\t                   6
        \t\tTruncated message:\t                   1
        \t\tBad message size:\t                   2
        sequence tracking statistics:
        \trecv:
        \t\tPackets before:\t\t                   7
        """

    @Test func statisticsAsPfsyncCounters() {
        let s = ConntrackdStatistics.parse(general: general, network: network)
        #expect(s.externalActive == 12 && s.externalFailed == 3 && s.bytesReceived == 480 && s.packetsReceived == 10)
        let counters = Dictionary(uniqueKeysWithValues: s.bsdCounters.map { ($0.name, $0.value) })
        #expect(counters["ipackets"] == 10 && counters["opackets"] == 6 && counters["oerrors"] == 1)
        #expect(counters["badver"] == 4 && counters["hdrops"] == 5 && counters["badact"] == 6 && counters["badlen"] == 3)
        #expect(counters["stale"] == 7 && counters["badstate"] == 3 && counters["badttl"] == 0)
    }

    /// FTFW has no end-of-bulk marker and keeps saying ALIVE: in sync once a packet came
    /// and the states stood still for 2 s; a node alone gives up waiting after 60 s.
    @Test func inSyncOnceTheStatesStandStill() {
        var watch = SyncWatch()
        let s: UInt64 = 1_000_000_000
        watch.begin(now: 0)
        #expect(!watch.inSync && watch.pollDeadline == SyncWatch.pollInterval)
        #expect(watch.sample(.init(bytesReceived: 16, packetsReceived: 1, externalActive: 0), now: s / 4) == nil)
        // The bulk: states arrive; then only keepalives.
        #expect(watch.sample(.init(bytesReceived: 4016, packetsReceived: 3, externalActive: 50), now: s / 2) == nil)
        #expect(watch.sample(.init(bytesReceived: 4032, packetsReceived: 4, externalActive: 50), now: 2 * s) == nil)
        #expect(watch.sample(.init(bytesReceived: 4048, packetsReceived: 5, externalActive: 50), now: 5 * s / 2) == .arrived)
        #expect(watch.inSync && watch.pollDeadline == nil)
        var alone = SyncWatch()
        alone.begin(now: 0)
        #expect(alone.sample(nil, now: 59 * s) == nil)
        #expect(alone.sample(.init(bytesReceived: 0, packetsReceived: 0, externalActive: 0), now: 60 * s) == .timedOut)
        #expect(alone.inSync)
    }
}

/// pfsync0 in the node: settings, demotion, the commit before the claim.
struct NodePfsyncTests {
    func pfsyncNode() -> TestNode {
        let t = TestNode(hook: false)
        t.routes.addLink(3, "sync0", addresses: ["203.0.113.1/30"])
        return t
    }

    @discardableResult
    func pfsync(_ t: TestNode, _ pairs: [(String, String)]) -> ControlMessage { t.request("pfsync", pairs) }

    @Test func upStartsConntrackdDemotedUntilInSync() {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("syncpeer", "203.0.113.2"), ("up", "1")])
        #expect(t.files.contents["/run/test/conntrackd.conf"]?.contains("IPv4_Destination_Address 203.0.113.2") == true)
        #expect(t.journal.lines.contains("spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf"))
        #expect(t.node.engine.settings.demotion == 240 && t.node.engine.groupDemote["carp"] == 32)
        let record = (try? t.request("pfsync", []).pfsyncRecord()) ?? nil
        #expect(record?.running == true && record?.syncok == false && record?.demotion == 240)
        // conntrackd's statistics: the peer answers, then nothing more moves.
        var bytes: UInt64 = 16, packets: UInt64 = 1
        t.processes.answer = { args in
            guard args.last == "-s" else { return ChildProcesses.Output(status: .exited(0), text: "") }
            packets += 1
            bytes += 16
            return ChildProcesses.Output(status: .exited(0), text: "UDP traffic (active device=sync0):\n 0 Bytes sent \(bytes) Bytes recv\n 0 Pckts sent \(packets) Pckts recv\n")
        }
        t.advance(3 * Timing.second)
        #expect(t.node.engine.settings.demotion == 0 && t.node.engine.groupDemote["carp"] == 0)
        #expect(t.logs.lines.contains("info: carp: demoted by -240 to 0 (pfsync bulk done)"))
    }

    /// BACKUP -> MASTER: the peer's states into the kernel before the first address.
    @Test func theCommitComesBeforeTheClaim() {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("up", "1")])
        t.addVhid()
        t.journal.clear()
        t.masterDown()
        let commit = t.journal.index(of: "run /usr/sbin/conntrackd -C /run/test/conntrackd.conf -c")
        let claim = t.journal.index(of: "batch[up vh1-eth0")
        #expect(commit != nil && claim != nil && commit! < claim!)
        #expect(t.logs.lines.contains { $0.contains("pfsync0: states committed in") })
        // After the takeover, the primary steps, one at a time.
        #expect(t.journal.lines.contains("spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf -f"))
    }

    /// A dying peer's vhids fall to us in turns milliseconds apart: the second commit waits
    /// for the step the first takeover started (conntrackd ignores a flush that overlaps a
    /// commit), and the queued steps follow it.
    @Test func aSecondCommitWaitsForTheRunningStep() throws {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("up", "1")])
        t.addVhid(1, addresses: ["192.0.2.10/24"])
        t.addVhid(2, advskew: 50, addresses: ["192.0.2.11/24"])
        t.journal.clear()
        t.advance(Timing.masterDown(advbase: 1, advskew: 0) + 1)
        #expect(t.state(1) == .master && t.state(2) == .backup)
        let flush = "spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf -f"
        #expect(t.journal.lines.contains(flush))
        let running = try #require(t.processes.running.first { $0.value.last == "-f" }?.key)
        t.journal.clear()
        t.advance(Timing.masterDown(advbase: 1, advskew: 50))
        #expect(t.state(2) == .master)
        let wait = t.journal.index(of: "wait \(running)")
        let commit = t.journal.index(of: "run /usr/sbin/conntrackd -C /run/test/conntrackd.conf -c")
        let resync = t.journal.index(of: "spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf -R")
        #expect(wait != nil && commit != nil && resync != nil)
        #expect(wait! < commit! && commit! < resync!, "\(t.journal.lines)")
    }

    @Test func aChangedTransportRestartsConntrackdAndDestroyStopsIt() {
        let t = pfsyncNode()
        t.routes.addLink(4, "sync1", addresses: ["198.51.100.5/24"])
        pfsync(t, [("syncdev", "sync0"), ("up", "1")])
        pfsync(t, [("syncdev", "sync1")])
        #expect(t.journal.lines.contains("kill 101 \(SIGTERM)"))
        t.processes.exit(101, .signaled(SIGTERM))
        #expect(t.files.contents["/run/test/conntrackd.conf"]?.contains("Interface sync1") == true)
        #expect(t.journal.lines.last == "spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf")
        #expect(t.files.sysctls["net/netfilter/nf_conntrack_tcp_be_liberal"] == "1")
        pfsync(t, [("destroy", "1")])
        #expect(t.files.sysctls["net/netfilter/nf_conntrack_tcp_be_liberal"] == "0")
        #expect(t.journal.lines.contains("kill 102 \(SIGTERM)"))
        t.processes.exit(102, .signaled(SIGTERM))
        #expect(t.node.engine.settings.demotion == 0)
        let text = ControlMessage([("pfsync", "1")]).encoded
        #expect(t.node.serveControl(text, uid: 0).text.contains("errno=\(ENXIO)"))
    }

    /// Another conntrackd holding the port: carpd says what conntrackd said, and retries.
    @Test func conntrackdsOwnErrorIsLogged() {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("up", "1")])
        t.files.contents["/run/test/conntrackd.log"] = "[Tue] (pid=9) [notice] starting\n[Tue] (pid=9) [ERROR] can't open channel socket: Address already in use\n"
        t.processes.exit(101, .exited(1))
        #expect(t.logs.lines.contains("error: pfsync0: conntrackd: can't open channel socket: Address already in use"))
        #expect(t.logs.lines.contains { $0.contains("conntrackd: exit status 1; restarting in 1 s") })
    }

    /// A service manager stopping carpd signals conntrackd too: its end is no crash then.
    @Test func conntrackdEndingWhileCarpdExitsIsNotRestarted() {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("up", "1")])
        t.node.beginShutdown()
        t.processes.exit(101, .exited(0))
        t.advance(2 * Timing.second)
        #expect(!t.logs.lines.contains { $0.contains("restarting") || $0.contains("demoted by") && $0.contains("pfsync down") })
        #expect(t.journal.lines.filter { $0.hasPrefix("spawn /usr/sbin/conntrackd -C /run/test/conntrackd.conf") }.count == 1)
        t.node.finishShutdown()
        #expect(t.files.sysctls["net/netfilter/nf_conntrack_tcp_be_liberal"] == "0")
    }

    @Test func theSavedStateKeepsPfsync() {
        let t = pfsyncNode()
        pfsync(t, [("syncdev", "sync0"), ("maxupd", "64"), ("defer", "1"), ("up", "1")])
        let saved = t.files.contents["/run/test/carpd.state"] ?? ""
        #expect(saved.contains("pfsync=1\nsyncdev=sync0\nsyncpeer=\nmaxupd=64\ndefer=1\nversion=1400\nup=1\n"))
    }
}
