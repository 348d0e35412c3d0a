import CARPTypes

/// The sysctl names this `sysctl` answers itself: the net.inet.carp tree (served by carpd)
/// and the BSD names common in sysctl.conf, mapped onto Linux's /proc/sys.
public enum SysctlNames {
    public static let carpPrefix = "net.inet.carp"

    /// net.inet.carp.* in BSD order.
    public static var carpNames: [String] { GlobalSettings.nodes.map(\.name) }

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
        name == carpPrefix || name.hasPrefix(carpPrefix + ".") || mappedPath(name) != nil
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
