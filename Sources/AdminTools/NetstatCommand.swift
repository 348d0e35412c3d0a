/// `netstat -s -p carp` and `netstat -s -p pfsync`: the BSD statistics blocks, from carpd.
/// Nothing else of netstat is provided: Linux has ss(8), ip(8) and nstat(8) for that.
public struct NetstatCommand {
    let out: Output
    let carpd: CarpdClient

    public init(out: Output, carpd: CarpdClient) {
        self.out = out
        self.carpd = carpd
    }

    static let usage = "usage: netstat -s [-s] -p carp | pfsync"

    public func run(_ arguments: [String]) -> Int32 {
        var sflag = 0, proto: String?
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("-"), word.count > 1 else { return refuse("unexpected argument '\(word)'") }
            for (n, c) in word.dropFirst().enumerated() {
                switch c {
                case "s": sflag += 1
                case "p":
                    let rest = String(word.dropFirst(n + 2))
                    if !rest.isEmpty { proto = rest } else if index < arguments.count { proto = arguments[index]; index += 1 } else {
                        return refuse("option requires an argument -- p")
                    }
                default:
                    return refuse("-\(c): not provided here; use ss(8) for sockets, ip(8) for routes and interfaces")
                }
                if c == "p" { break }
            }
        }
        guard sflag > 0, let proto else { return refuse("only \"netstat -s -p carp\" and \"-p pfsync\" are provided; use ss(8), ip(8) or nstat(8)") }
        guard proto == "carp" || proto == "pfsync" else { return refuse("\(proto): protocol statistics are not provided here; see nstat(8)") }
        do {
            let reply = try carpd.request(proto == "carp" ? "stats" : "pfsyncstats")
            let stats = reply.pairs.reduce(into: [String: UInt64]()) { $0[$1.key] = UInt64($1.value) ?? 0 }
            out.print(proto == "carp" ? Self.render(stats, hideZero: sflag > 1) : Self.renderPfsync(stats, hideZero: sflag > 1))
            return 0
        } catch {
            out.printError("netstat: \(error)")
            return 1
        }
    }

    private func refuse(_ message: String) -> Int32 {
        out.printError("netstat: \(message)\n\(Self.usage)")
        return 1
    }

    /// OpenBSD's carp_stats(): FreeBSD's lines plus "bad interface" and "transitions to master".
    /// `%s` is the plural "s" when the count is not 1; -ss hides the zero lines.
    static let lines: [(key: String, format: String)] = [
        ("ipackets", "\t%d packet%s received (IPv4)"),
        ("ipackets6", "\t%d packet%s received (IPv6)"),
        ("badif", "\t\t%d packet%s discarded for bad interface"),
        ("badttl", "\t\t%d packet%s discarded for wrong TTL"),
        ("hdrops", "\t\t%d packet%s shorter than header"),
        ("badsum", "\t\t%d discarded for bad checksum%s"),
        ("badver", "\t\t%d discarded packet%s with a bad version"),
        ("badlen", "\t\t%d discarded because packet too short"),
        ("badauth", "\t\t%d discarded for bad authentication"),
        ("badvhid", "\t\t%d discarded for bad vhid"),
        ("badaddrs", "\t\t%d discarded because of a bad address list"),
        ("opackets", "\t%d packet%s sent (IPv4)"),
        ("opackets6", "\t%d packet%s sent (IPv6)"),
        ("onomem", "\t\t%d send failed due to mbuf memory error"),
        ("preempt", "\t%d transition%s to master"),
    ]

    /// carpd's own counters after the BSD block, printed only when not zero, so that the
    /// block reads as the BSDs' as long as nothing went wrong.
    static let ownLines: [(key: String, format: String)] = [
        ("claimfail", "\t%d address claim%s failed"),
    ]

    public static func render(_ stats: [String: UInt64], hideZero: Bool) -> String {
        block("carp:", lines, stats, hideZero: hideZero, ownLines: ownLines)
    }

    /// A statistics block: `title`, then a line per counter (`%d` its value, `%s` the plural
    /// "s" when not 1); zero lines hidden with -ss, and `ownLines` (carpd's) always when zero.
    static func block(_ title: String, _ lines: [(key: String, format: String)], _ stats: [String: UInt64],
                      hideZero: Bool, ownLines: [(key: String, format: String)] = []) -> String {
        var text = [title]
        for (key, format) in lines + ownLines {
            let n = stats[key] ?? 0
            if (hideZero || ownLines.contains { $0.key == key }) && n == 0 { continue }
            text.append(format.replacingFirst("%d", with: String(n)).replacingFirst("%s", with: n == 1 ? "" : "s"))
        }
        return text.joined(separator: "\n")
    }
}

extension String {
    /// The first occurrence of `target` replaced (no Foundation in the tools).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) {
                return String(self[..<index]) + replacement + String(self[self.index(index, offsetBy: target.count)...])
            }
            index = self.index(after: index)
        }
        return self
    }
}

extension NetstatCommand {
    /// OpenBSD's pfsync_stats(), with conntrackd's figures where it has an equivalent (the
    /// others are 0: see pfsync(4)); -ss hides the zero lines.
    static let pfsyncLines: [(key: String, format: String)] = [
        ("ipackets", "\t%d packet%s received (IPv4)"),
        ("ipackets6", "\t%d packet%s received (IPv6)"),
        ("badif", "\t\t%d packet%s discarded for bad interface"),
        ("badttl", "\t\t%d packet%s discarded for bad ttl"),
        ("hdrops", "\t\t%d packet%s shorter than header"),
        ("badver", "\t\t%d packet%s discarded for bad version"),
        ("badauth", "\t\t%d packet%s discarded for bad HMAC"),
        ("badact", "\t\t%d packet%s discarded for bad action"),
        ("badlen", "\t\t%d packet%s discarded for short packet"),
        ("badval", "\t\t%d state%s discarded for bad values"),
        ("stale", "\t\t%d stale state%s"),
        ("badstate", "\t\t%d failed state lookup/insert%s"),
        ("opackets", "\t%d packet%s sent (IPv4)"),
        ("opackets6", "\t%d packet%s sent (IPv6)"),
        ("onomem", "\t\t%d send failed due to mbuf memory error"),
        ("oerrors", "\t\t%d send error"),
    ]

    public static func renderPfsync(_ stats: [String: UInt64], hideZero: Bool) -> String {
        block("pfsync:", pfsyncLines, stats, hideZero: hideZero)
    }
}
