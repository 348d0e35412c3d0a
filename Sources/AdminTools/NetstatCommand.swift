/// `netstat -s -p carp`: the BSD statistics block, from carpd. Nothing else of netstat
/// is provided: Linux has ss(8), ip(8) and nstat(8) for that.
public struct NetstatCommand {
    let out: Output
    let carpd: CarpdClient

    public init(out: Output, carpd: CarpdClient) {
        self.out = out
        self.carpd = carpd
    }

    static let usage = "usage: netstat -s [-s] -p carp"

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
        guard sflag > 0, let proto else { return refuse("only \"netstat -s -p carp\" is provided; use ss(8), ip(8) or nstat(8)") }
        guard proto == "carp" else { return refuse("\(proto): protocol statistics are not provided here; see nstat(8)") }
        do {
            let reply = try carpd.request("stats")
            out.print(Self.render(reply.pairs.reduce(into: [:]) { $0[$1.key] = UInt64($1.value) ?? 0 }, hideZero: sflag > 1))
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
        var text = ["carp:"]
        for (key, format) in lines + ownLines {
            let n = stats[key] ?? 0
            if (hideZero || !lines.contains { $0.key == key }) && n == 0 { continue }
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
