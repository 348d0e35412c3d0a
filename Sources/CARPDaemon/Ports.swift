import CARPCore
import Glibc
import LinuxHost
import Netlink

// What the node asks of the system, as small protocols: the kernel's links and addresses,
// the frames and datagrams it sends, its child processes, its files. Production uses the
// Linux implementations (LinuxPorts.swift); the unit tests use fakes, so that the node's
// logic (takeover order, failed claims, hooks, shutdown) runs without root.

/// Links and addresses over netlink.
protocol RoutePort: AnyObject {
    func link(named name: String) throws(NetlinkError) -> LinkInfo?
    func links() throws(NetlinkError) -> [LinkInfo]
    func addresses(ifindex: Int32?) throws(NetlinkError) -> [AddressInfo]
    func createMacvlan(name: String, parentIndex: Int32, mac: [UInt8], alias: String, group: UInt32) throws(NetlinkError) -> Int32
    func deleteLink(index: Int32) throws(NetlinkError)
    func deleteLinks(group: UInt32) throws(NetlinkError)
    func apply(_ change: LinkChange, ifindex: Int32) throws(NetlinkError)
    /// Many changes at once (one netlink batch); each one's error, nil for success.
    func perform(_ requests: [RouteRequest]) -> [NetlinkError?]
}

/// Advertisements, announcements and the CARP groups.
protocol PacketPort: AnyObject {
    /// Whole Ethernet frames, in order; each one's error, nil when it went out.
    func send(frames: [OutgoingFrame]) -> [SystemError?]
    /// A raw IP datagram of protocol 112 (unicast peers, or no source address to build a frame).
    func send(datagram: [UInt8], family: AddressFamily, to destination: [UInt8], ifindex: Int32, source: [UInt8]?) throws(SystemError)
    func join(_ family: AddressFamily, ifindex: Int32) throws(SystemError)
    func setDSCP(_ dscp: Int) throws(SystemError)
    /// The neighbour responder of balanced interfaces (NeighborSocket): its requests pass
    /// the kernel filter only while on; memberships make a carpdev receive a multicast MAC.
    func listenNeighbors(_ on: Bool) throws(SystemError)
    func neighborMembership(_ mac: [UInt8], ifindex: Int32, join: Bool) throws(SystemError)
    /// A macvlan's MAC held in its carpdev's unicast filter while the vhid exists (see
    /// `Node.prepareForClaims`); the kernel lets go of it when carpd exits.
    func holdUnicast(_ mac: [UInt8], ifindex: Int32, _ hold: Bool) throws(SystemError)
}

/// Child processes; their exits come back through `onExit`.
protocol ProcessPort: AnyObject {
    var onExit: ((pid_t, ExitStatus) -> Void)? { get set }
    func spawn(_ path: String, _ arguments: [String]) throws(SystemError) -> pid_t
    func kill(_ pid: pid_t, signal: Int32)
    /// A short command run to its end (at most `timeout` ns) with its output: it blocks the
    /// loop, so only for what must be done before going on (a conntrackd commit).
    func run(_ path: String, _ arguments: [String], timeout: UInt64) throws(SystemError) -> ChildProcesses.Output
    /// Blocks until a spawned child ends (reported through `onExit`), at most `timeout` ns;
    /// false if it still runs.
    func wait(_ pid: pid_t, timeout: UInt64) -> Bool
}

/// The files carpd reads and writes: its runtime state, the configuration directory,
/// notify.d, and /proc/sys (keys like "net/ipv4/conf/eth0/arp_ignore").
protocol FilePort: AnyObject {
    func read(_ path: String) -> String?
    /// Atomically (a temporary file renamed over it), mode 0600.
    func write(_ text: String, to path: String) throws(FileError)
    func remove(_ path: String)
    /// The names in `directory` not starting with a dot, sorted.
    func list(_ directory: String) -> [String]
    /// A regular file that may be executed.
    func isExecutable(_ path: String) -> Bool
    func readSysctl(_ key: String) throws(SystemError) -> String
    func writeSysctl(_ key: String, _ value: String) throws(SystemError)
}

struct FileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
