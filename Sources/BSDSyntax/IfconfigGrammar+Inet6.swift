import CARPTypes

extension IfconfigGrammar {
    /// FreeBSD's inet6 interface options with a Linux sysctl (ND6Option), each with its `-` form,
    /// and the two whose FreeBSD meaning is what Linux always does.
    static let inet6Rules: [WordRule] = ND6Option.allCases.flatMap { option in
        [WordRule(option.rawValue, .none, help(option, on: true)) { r, _ throws(UsageError) in r.nd6[option] = true },
         WordRule("-" + option.rawValue, .none, help(option, on: false)) { r, _ throws(UsageError) in r.nd6[option] = false }]
    } + [
        WordRule("nud", .none, "IPv6 neighbour unreachability detection (Linux always does it)") { _, _ throws(UsageError) in },
        WordRule("-no_prefer_iface", .none, "prefer the outgoing interface's address (what Linux does)") { _, _ throws(UsageError) in },
        WordRule("-defaultif", .none, "no default IPv6 interface (Linux has none)") { _, _ throws(UsageError) in },
    ]

    /// FreeBSD's inet6 words Linux cannot do, refused as FreeBSD's ifconfig reports a failed ioctl.
    static let inet6Refused: [String: String] = [
        "-nud": "-nud: ioctl(SIOCSIFINFO_IN6): Operation not supported (Linux always performs NUD)",
        "no_prefer_iface": "no_prefer_iface: ioctl(SIOCSIFINFO_IN6): Operation not supported (Linux prefers the outgoing interface's address)",
        "defaultif": "defaultif: ioctl(SIOCSDEFIFACE_IN6): Operation not supported (Linux has no default IPv6 interface)",
    ]

    private static func help(_ option: ND6Option, on: Bool) -> String {
        let (key, onValue, offValue) = option.sysctl
        return "IPv6 \(option.rawValue) \(on ? "on" : "off") (net.ipv6.conf.IF.\(key)=\(on ? onValue : offValue))"
    }
}
