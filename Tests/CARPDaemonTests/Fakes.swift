import CARPCore
import Glibc
import LinuxHost
import Logging
import Netlink
@testable import CARPDaemon

/// Everything the fakes saw, in order, across all of them: the order of effects is what
/// the node's tests are about ("batch[up vh1-eth0, add ...]", "frames[...]", "spawn ...").
final class Journal {
    var lines: [String] = []
    func record(_ line: String) { lines.append(line) }
    func index(of prefix: String) -> Int? { lines.firstIndex { $0.hasPrefix(prefix) } }
    func clear() { lines = [] }
}

/// A kernel with links and addresses, answering netlink requests, failing those it is told to.
final class FakeRoutes: RoutePort {
    let journal: Journal
    var table: [Int32: LinkInfo] = [:]
    var held: [Int32: [IPPrefix]] = [:]
    /// Requests answered with this NLE_* code instead of being carried out.
    var failing: (RouteRequest) -> Int32? = { _ in nil }
    var dumps = 0
    private var nextIndex: Int32 = 10

    init(journal: Journal) { self.journal = journal }

    func addLink(_ index: Int32, _ name: String, up: Bool = true, addresses: [String] = []) {
        table[index] = LinkInfo(index: index, name: name, isUp: up, isRunning: up, hasCarrier: up, operstate: 6,
                                mac: [2, 0, 0, 0, 0, UInt8(index)], parentIndex: 0, kind: "veth", macvlanMode: nil,
                                alias: nil, mtu: 1500, flags: up ? 0x11043 : 0x1002)
        held[index] = addresses.map { IPPrefix($0)! }
    }

    func name(_ index: Int32) -> String { table[index]?.name ?? "if\(index)" }

    func link(named name: String) throws(NetlinkError) -> LinkInfo? { table.values.first { $0.name == name } }
    func links() throws(NetlinkError) -> [LinkInfo] { table.values.sorted { $0.index < $1.index } }

    func addresses(ifindex: Int32?) throws(NetlinkError) -> [AddressInfo] {
        dumps += 1
        let indexes = ifindex.map { [$0] } ?? table.keys.sorted()
        return indexes.flatMap { i in
            (held[i] ?? []).map { p in
                let linkLocal = if case .v6(let a) = p.address { a.isLinkLocal } else { false }
                return AddressInfo(ifindex: i, prefix: p, flags: 0x80, scope: linkLocal ? 253 : 0)
            }
        }
    }

    func createMacvlan(name: String, parentIndex: Int32, mac: [UInt8], alias: String, group: UInt32) throws(NetlinkError) -> Int32 {
        nextIndex += 1
        table[nextIndex] = LinkInfo(index: nextIndex, name: name, isUp: false, isRunning: false, hasCarrier: true, operstate: 2,
                                    mac: mac, parentIndex: parentIndex, kind: "macvlan", macvlanMode: 2, alias: alias,
                                    mtu: 1500, flags: 0x1002, group: group)
        held[nextIndex] = []
        journal.record("create \(name)")
        return nextIndex
    }

    func deleteLink(index: Int32) throws(NetlinkError) {
        journal.record("delete \(name(index))")
        table[index] = nil
        held[index] = nil
    }

    func deleteLinks(group: UInt32) throws(NetlinkError) {
        let members = table.values.filter { $0.group == group }.map(\.index).sorted()
        journal.record("delete group [\(members.map(name).joined(separator: " "))]")
        for index in members { table[index] = nil; held[index] = nil }
    }

    func apply(_ change: LinkChange, ifindex: Int32) throws(NetlinkError) {
        switch change {
        case .setUp(let up): table[ifindex]?.isUp = up
        default: break
        }
        journal.record("link \(name(ifindex)) \(change)")
    }

    func perform(_ requests: [RouteRequest]) -> [NetlinkError?] {
        var texts: [String] = []
        let results = requests.map { request -> NetlinkError? in
            texts.append(describe(request))
            if let code = failing(request) { return NetlinkError(operation: describe(request), code: code) }
            return carryOut(request)
        }
        journal.record("batch[\(texts.joined(separator: ", "))]")
        return results
    }

    private func carryOut(_ request: RouteRequest) -> NetlinkError? {
        switch request {
        case .setUp(let index, let up):
            guard table[index] != nil else { return NetlinkError(operation: describe(request), code: 31) }
            table[index]!.isUp = up
            // IPv6 addresses leave with the link, as the kernel does it.
            if !up { held[index]?.removeAll { $0.family == .inet6 } }
        case .addAddress(let index, let prefix, _):
            if held[index, default: []].contains(prefix) { return NetlinkError(operation: describe(request), code: 6) }
            held[index, default: []].append(prefix)
        case .deleteAddress(let index, let prefix):
            guard held[index]?.contains(prefix) == true else { return NetlinkError(operation: describe(request), code: 19) }
            held[index]!.removeAll { $0 == prefix }
        }
        return nil
    }

    func describe(_ request: RouteRequest) -> String {
        switch request {
        case .setUp(let index, let up): "\(up ? "up" : "down") \(name(index))"
        case .addAddress(let index, let prefix, let flags): "add \(prefix) \(name(index))" + (flags != 0 ? " flags 0x\(String(flags, radix: 16))" : "")
        case .deleteAddress(let index, let prefix): "del \(prefix) \(name(index))"
        }
    }
}

/// Frames and datagrams, decoded just enough to name them in the journal.
final class FakePackets: PacketPort {
    let journal: Journal
    var frames: [OutgoingFrame] = []
    var failing: (OutgoingFrame) -> Int32? = { _ in nil }
    var dscp = 0

    init(journal: Journal) { self.journal = journal }

    func send(frames batch: [OutgoingFrame]) -> [SystemError?] {
        frames += batch
        journal.record("frames[\(batch.map(Self.describe).joined(separator: ", "))]")
        return batch.map { frame in failing(frame).map { SystemError(operation: "sendto", errno: $0) } }
    }

    func send(datagram: [UInt8], family: AddressFamily, to destination: [UInt8], ifindex: Int32, source: [UInt8]?) throws(SystemError) {
        journal.record("datagram \(family) to \(IPAddress(bytes: destination)!)")
    }

    func join(_ family: AddressFamily, ifindex: Int32) throws(SystemError) {}
    func setDSCP(_ dscp: Int) throws(SystemError) { self.dscp = dscp }

    /// The responder's filter and memberships, as the tests see them.
    var listening = false
    var memberships: Set<String> = []
    func listenNeighbors(_ on: Bool) throws(SystemError) { listening = on }
    func neighborMembership(_ mac: [UInt8], ifindex: Int32, join: Bool) throws(SystemError) {
        let entry = "\(MACAddress(bytes: mac)!)@\(ifindex)"
        if join { memberships.insert(entry) } else { memberships.remove(entry) }
    }
    /// The MACs held in a carpdev's unicast filter, "mac@ifindex".
    var heldUnicast: Set<String> = []
    func holdUnicast(_ mac: [UInt8], ifindex: Int32, _ hold: Bool) throws(SystemError) {
        let entry = "\(MACAddress(bytes: mac)!)@\(ifindex)"
        if hold { heldUnicast.insert(entry) } else { heldUnicast.remove(entry) }
    }

    /// "advert inet 1/0" (advbase/advskew), "garp 192.0.2.10", "na 2001:db8::10".
    static func describe(_ f: OutgoingFrame) -> String {
        let type = UInt16(f.frame[12]) << 8 | UInt16(f.frame[13])
        if type == 0x0806 { return "garp \(IPAddress(bytes: Array(f.frame[28..<32]))!)" }
        let ipv4 = type == 0x0800
        let payload = Array(f.frame[(ipv4 ? 34 : 54)...])
        if !ipv4 && f.frame[20] == 58 { return "na \(IPAddress(bytes: Array(payload[8..<24]))!)" }
        if payload.first.map({ $0 >> 4 }) == VRRPAdvertisement.version, payload.count >= 8 {
            return "vrrp \(ipv4 ? "inet" : "inet6") prio \(payload[2]) count \(payload[3])"
        }
        let h = CARPHeader(bytes: payload)!
        return "advert \(ipv4 ? "inet" : "inet6") \(h.advbase)/\(h.advskew)"
    }

    /// The VRRP messages sent, decoded with their IP addresses (checksum checked).
    func vrrpAdverts() -> [VRRPAdvertisement] {
        frames.compactMap { f in
            let type = UInt16(f.frame[12]) << 8 | UInt16(f.frame[13])
            let ipv4 = type == 0x0800
            guard ipv4 || (type == 0x86DD && f.frame[20] == 112) else { return nil }
            let (source, destination) = ipv4 ? (Array(f.frame[26..<30]), Array(f.frame[30..<34])) : (Array(f.frame[22..<38]), Array(f.frame[38..<54]))
            let payload = Array(f.frame[(ipv4 ? 34 : 54)...])
            guard payload.first.map({ $0 >> 4 }) == VRRPAdvertisement.version,
                  let s = IPAddress(bytes: source), let d = IPAddress(bytes: destination) else { return nil }
            return try? VRRPAdvertisement.decode(payload, source: s, destination: d).get()
        }
    }

    func adverts() -> [CARPHeader] {
        frames.compactMap { f in
            let type = UInt16(f.frame[12]) << 8 | UInt16(f.frame[13])
            guard type == 0x0800 || (type == 0x86DD && f.frame[20] == 112) else { return nil }
            return CARPHeader(bytes: Array(f.frame[(type == 0x0800 ? 34 : 54)...]))
        }
    }
}

final class FakeProcesses: ProcessPort {
    let journal: Journal
    var onExit: ((pid_t, ExitStatus) -> Void)?
    var running: [pid_t: [String]] = [:]
    var failSpawn = false
    private var nextPID: pid_t = 100

    init(journal: Journal) { self.journal = journal }

    func spawn(_ path: String, _ arguments: [String]) throws(SystemError) -> pid_t {
        if failSpawn { throw SystemError(operation: path, errno: ENOENT) }
        nextPID += 1
        running[nextPID] = [path] + arguments
        journal.record("spawn \(([path] + arguments).joined(separator: " "))")
        return nextPID
    }

    func kill(_ pid: pid_t, signal: Int32) { journal.record("kill \(pid) \(signal)") }

    /// What a command run to its end answers (by default: nothing, exit status 0).
    var answer: ([String]) -> ChildProcesses.Output = { _ in ChildProcesses.Output(status: .exited(0), text: "") }

    func run(_ path: String, _ arguments: [String], timeout: UInt64) throws(SystemError) -> ChildProcesses.Output {
        journal.record("run \(([path] + arguments).joined(separator: " "))")
        return answer([path] + arguments)
    }

    /// Waiting for a child: it ends then (exit status 0), unless `hangs`.
    var hangs: Set<pid_t> = []
    func wait(_ pid: pid_t, timeout: UInt64) -> Bool {
        journal.record("wait \(pid)")
        guard running[pid] != nil else { return true }
        guard !hangs.contains(pid) else { return false }
        exit(pid, .exited(0))
        return true
    }

    /// The child ends; the node hears of it as it would from the reactor.
    func exit(_ pid: pid_t, _ status: ExitStatus) {
        running[pid] = nil
        onExit?(pid, status)
    }
}

final class FakeFiles: FilePort {
    let journal: Journal
    var contents: [String: String] = [:]
    var executables: Set<String> = []
    var sysctls: [String: String] = [:]
    /// Every path asked about with `isExecutable`, in order.
    var probed: [String] = []

    init(journal: Journal) { self.journal = journal }

    func read(_ path: String) -> String? { contents[path] }
    func write(_ text: String, to path: String) throws(FileError) { contents[path] = text }
    func remove(_ path: String) { contents[path] = nil }

    func list(_ directory: String) -> [String] {
        let prefix = directory + "/"
        let names = (Array(contents.keys) + Array(executables) + Array(sysctls.keys.map { "/proc/sys/" + $0 }))
            .filter { $0.hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count).prefix { $0 != "/" }) }
        return Set(names).sorted()
    }

    func isExecutable(_ path: String) -> Bool {
        probed.append(path)
        return executables.contains(path)
    }

    func readSysctl(_ key: String) throws(SystemError) -> String {
        guard let value = sysctls[key] else { throw SystemError(operation: "open /proc/sys/\(key)", errno: ENOENT) }
        return value
    }

    func writeSysctl(_ key: String, _ value: String) throws(SystemError) {
        sysctls[key] = value
        journal.record("sysctl \(key)=\(value)")
    }
}

final class ManualClock: @unchecked Sendable {
    var now: UInt64 = 1_000_000_000
    func advance(_ nanoseconds: UInt64) { now += nanoseconds }
}

/// Log lines, kept for assertions.
final class LogBox: @unchecked Sendable {
    var lines: [String] = []
}

struct CapturingLogHandler: LogHandler {
    let box: LogBox
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { box.lines.append("\(event.level): \(event.message)") }
}
