import CARPTypes

/// The sysctl names this `sysctl` answers itself: the net.inet.carp tree (served by carpd)
/// and the BSD names common in sysctl.conf, mapped onto Linux's /proc/sys.
public enum SysctlNames {
    public static let carpPrefix = "net.inet.carp"
    /// FreeBSD's pfsync tree: net.pfsync.carp_demotion_factor.
    public static let pfsyncPrefix = "net.pfsync"
    /// The trees carpd serves.
    public static let prefixes = [carpPrefix, pfsyncPrefix]

    /// net.inet.carp.* in BSD order, then net.pfsync.*.
    public static var carpNames: [String] { GlobalSettings.nodes.map(\.name) }

    /// The tree `name` is or lies in, when carpd serves it.
    public static func prefix(of name: String) -> String? {
        prefixes.first { name == $0 || name.hasPrefix($0 + ".") }
    }

    /// BSD name -> /proc/sys path.
    public static let mapped: [(bsd: String, linux: String)] = [
        ("net.inet.ip.forwarding", "net/ipv4/ip_forward"),
        ("net.inet6.ip6.forwarding", "net/ipv6/conf/all/forwarding"),
        ("net.inet.ip.ttl", "net/ipv4/ip_default_ttl"),
        ("net.inet6.ip6.hlim", "net/ipv6/conf/default/hop_limit"),
    ]

    public static func mappedPath(_ name: String) -> String? { mapped.first { $0.bsd == name }?.linux }

    /// True for net.inet.carp, net.inet.carp.X and the mapped BSD names: the rest goes to Linux's sysctl.
    public static func isOurs(_ name: String) -> Bool {
        prefix(of: name) != nil || mappedPath(name) != nil || GlobalSettings.aliases[name] != nil
    }

    /// One operand: `name` or `name=value`.
    public struct Operand: Hashable, Sendable {
        public var name: String
        public var value: String?

        public init(_ text: String) {
            if let eq = text.firstIndex(of: "=") {
                name = String(text[..<eq])
                value = String(text[text.index(after: eq)...])
            } else {
                name = text
                value = nil
            }
        }
    }
}
