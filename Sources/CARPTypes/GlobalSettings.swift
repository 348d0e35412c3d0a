/// The net.inet.carp sysctls of both BSDs, with FreeBSD's defaults.
public struct GlobalSettings: Hashable, Sendable {
    public var allow = 1
    public var preempt = 0
    public var log = 1
    public var demotion = 0
    public var ifdownDemotionFactor = 240
    public var senderrDemotionFactor = 240
    public var dscp = 56
    /// FreeBSD's net.pfsync.carp_demotion_factor: added to the demotion while pfsync0 is not in sync.
    public var pfsyncDemotionFactor = 240
    /// bsd-carp's persistent maintenance mode (pfSense's): demoted until lifted.
    public var maintenance = 0
    /// FreeBSD's (before 10) and pfSense's ARP balancing over vhids that share an address.
    public var arpbalance = 0

    public init() {}

    public struct Node: Sendable {
        public let name: String
        public let range: ClosedRange<Int>
        let keyPath: any WritableKeyPath<GlobalSettings, Int> & Sendable
        /// FreeBSD: writing net.inet.carp.demotion adds to it.
        public let writeAdds: Bool
        public let help: String
    }

    public static let nodes: [Node] = [
        Node(name: "net.inet.carp.allow", range: 0...1, keyPath: \.allow, writeAdds: false,
             help: "accept incoming CARP packets; 0 sends every vhid to INIT"),
        Node(name: "net.inet.carp.preempt", range: 0...1, keyPath: \.preempt, writeAdds: false,
             help: "a more preferred backup takes over from a live master"),
        Node(name: "net.inet.carp.log", range: 0...7, keyPath: \.log, writeAdds: false,
             help: "0 silent, 1 state changes and demotion, 2 also dropped packets"),
        Node(name: "net.inet.carp.demotion", range: Int(Int32.min)...Int(Int32.max), keyPath: \.demotion, writeAdds: true,
             help: "global demotion added to every advskew (capped at 240); a write adds"),
        Node(name: "net.inet.carp.ifdown_demotion_factor", range: Int(Int32.min)...Int(Int32.max),
             keyPath: \.ifdownDemotionFactor, writeAdds: false, help: "demotion per vhid whose carpdev is down"),
        Node(name: "net.inet.carp.senderr_demotion_factor", range: Int(Int32.min)...Int(Int32.max),
             keyPath: \.senderrDemotionFactor, writeAdds: false, help: "demotion after 3 consecutive send errors"),
        Node(name: "net.inet.carp.dscp", range: 0...63, keyPath: \.dscp, writeAdds: false,
             help: "DSCP of advertisements"),
        Node(name: "net.pfsync.carp_demotion_factor", range: Int(Int32.min)...Int(Int32.max),
             keyPath: \.pfsyncDemotionFactor, writeAdds: false, help: "demotion while pfsync0 is not in sync"),
        Node(name: "net.inet.carp.maintenance", range: 0...1, keyPath: \.maintenance, writeAdds: false,
             help: "persistent maintenance mode: demoted by 240 until 0, kept across restarts and reboots"),
        Node(name: "net.inet.carp.arpbalance", range: 0...1, keyPath: \.arpbalance, writeAdds: false,
             help: "vhids of one carpdev may share an IPv4 address; ARP picks one by the sender address"),
    ]

    /// Other spellings in use: pfSense's scripts and the seed material write net.inet.arpbalance.
    public static let aliases = ["net.inet.arpbalance": "net.inet.carp.arpbalance"]

    public static func node(named name: String) -> Node? {
        let name = aliases[name] ?? name
        return nodes.first { $0.name == name }
    }

    /// The largest advskew either BSD accepts.
    public static let maximumAdvskew: UInt8 = 254

    public subscript(node: Node) -> Int {
        get { self[keyPath: node.keyPath] }
        set { self[keyPath: node.keyPath] = newValue }
    }

}

public enum SysctlError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknown(String)
    case outOfRange(name: String, value: Int, range: ClosedRange<Int>)
    /// The value cannot change now, for `reason`.
    case busy(name: String, reason: String)

    public var description: String {
        switch self {
        case .unknown(let name): "unknown oid '\(name)'"
        case .outOfRange(let name, let value, let range):
            "\(name): \(value): out of range (\(range.lowerBound)-\(range.upperBound))"
        case .busy(let name, let reason): "\(name): \(reason)"
        }
    }
}
