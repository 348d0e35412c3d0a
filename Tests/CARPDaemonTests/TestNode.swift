import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Logging
@testable import CARPDaemon

/// A node on fakes: eth0 (ifindex 2) up with 192.0.2.1/24 and 2001:db8::1/64, a notify.d
/// hook, the sysctls carpd tunes. Control requests as an administrator would send them.
final class TestNode {
    let journal = Journal()
    let routes: FakeRoutes
    let packets: FakePackets
    let processes: FakeProcesses
    let files: FakeFiles
    let clock = ManualClock()
    let logs = LogBox()
    var events: [String] = []
    let node: Node

    /// `contents`: files there before carpd starts (the configuration directory, a saved
    /// state); `executables`: programs it finds (nft).
    init(hook: Bool = true, contents: [String: String] = [:], executables: Set<String> = []) {
        routes = FakeRoutes(journal: journal)
        packets = FakePackets(journal: journal)
        processes = FakeProcesses(journal: journal)
        files = FakeFiles(journal: journal)
        routes.addLink(1, "lo", addresses: ["127.0.0.1/8"])
        routes.addLink(2, "eth0", addresses: ["192.0.2.1/24", "2001:db8::1/64", "fe80::1/64"])
        for key in ["net/ipv4/conf/eth0/arp_ignore", "net/ipv4/conf/eth0/arp_filter", "net/ipv4/conf/eth0/arp_announce",
                    "net/ipv4/conf/all/rp_filter", "net/ipv4/igmp_max_memberships", "net/ipv6/conf/all/forwarding",
                    "net/netfilter/nf_conntrack_tcp_be_liberal"] {
            files.sysctls[key] = key.hasSuffix("igmp_max_memberships") ? "20" : "0"
        }
        if hook { files.executables.insert("/etc/carp/notify.d/10-log") }
        files.executables.formUnion(executables)
        files.contents.merge(contents) { _, new in new }
        var options = Options()
        options.socketPath = "/run/test/carpd.sock"
        options.configDirectory = "/etc/carp"
        let box = logs, clock = clock
        node = Node(options: options, route: routes, packets: packets, processes: processes, files: files,
                    clock: { clock.now }, log: Logger(label: "test", factory: { _ in CapturingLogHandler(box: box) }))
        node.publishEvent = { [unowned self] text in
            let m = try! ControlMessage.decode(text)
            events.append("\(m["vhid"]!)@\(m["carpdev"]!) \(m["from"]!)->\(m["to"]!)")
        }
        node.start()
    }

    /// One control request as root, and carpd's reply.
    func send(_ command: String, _ pairs: [(String, String)]) -> ControlMessage {
        let text = ControlMessage([(command, "1")] + pairs.map { (key: $0.0, value: $0.1) }).encoded
        return try! ControlMessage.decode(node.serveControl(text, uid: 0).text)
    }

    func addVhid(_ vhid: UInt8 = 1, advskew: UInt8 = 0, addresses: [String] = ["192.0.2.10/24", "2001:db8::10/64"]) {
        let reply = send("set", [("carpdev", "eth0"), ("vhid", String(vhid)), ("advskew", String(advskew)), ("key", "s3cret")]
                + addresses.map { ("addr", $0) })
        precondition(reply.errno == 0, "set vhid \(vhid): \(reply.message ?? "")")
    }

    /// Lets time pass the way the reactor would: the timer, then the turn's effects. At most
    /// `turns` timer turns (the fuzzer's bound: a host too busy to keep up), then the clock jumps.
    func advance(_ nanoseconds: UInt64, turns: Int = .max) {
        let end = clock.now + nanoseconds
        var left = turns
        while left > 0, let due = node.nextDeadline, due <= end {
            left -= 1
            clock.now = max(clock.now, due)
            node.deadlineReached()
            node.carryOut()
        }
        clock.now = end
    }

    func state(_ vhid: UInt8 = 1) -> CARPState? { node.engine.hosts[VirtualHostKey(carpdev: "eth0", vhid: vhid)]?.machine.state }

    /// A peer's advertisement for vhid 1 with the test's key and addresses.
    func peerAdvert(advbase: UInt8 = 1, advskew: UInt8, vhid: UInt8 = 1,
                    addresses: [String] = ["192.0.2.10/24", "2001:db8::10/64"]) -> ReceivedPacket {
        let auth = CARPAuthenticator(key: CARPKey(passphrase: "s3cret"), vhid: vhid, addresses: addresses.map { IPPrefix($0)!.address })
        var h = CARPHeader(vhid: vhid, advbase: advbase, advskew: advskew, counter: 7)
        h.digest = auth.digest(counter: h.counterBytes)
        return ReceivedPacket(family: .inet, payload: h.sealed(), ttl: 255, source: IPAddress("192.0.2.2"), carpdev: "eth0")
    }

    /// Long enough for a vhid with advbase 1 and any advskew to time its master out.
    func masterDown() { advance(4 * Timing.second) }

    /// The hook of the last state change ends (0 = success).
    func hookExits(_ code: Int32 = 0) {
        if let pid = processes.running.keys.max() { processes.exit(pid, .exited(code)) }
    }
}
