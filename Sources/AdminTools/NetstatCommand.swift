import Glibc

/// `netstat -s -p carp` and `netstat -s -p pfsync`: the BSD statistics blocks, from carpd.
/// Nothing else of netstat is provided: Linux has ss(8), ip(8) and nstat(8) for that.
public struct NetstatCommand {
    let out: Output
    let carpd: CarpdClient

    public init(out: Output, carpd: CarpdClient) {
        self.out = out
        self.carpd = carpd
    }

    static let usage = "usage: netstat [--libxo json|xml[,pretty]] [-s [-s]] -p carp | pfsync"

    /// One counter: carpd's name, FreeBSD's libxo name, the text line.
    struct Line {
        let key: String
        let xo: String
        let format: String
        init(_ key: String, _ xo: String, _ format: String) {
            self.key = key
            self.xo = xo
            self.format = format
        }
    }

    public func run(_ arguments: [String]) -> Int32 {
        var sflag = 0, proto: String?, style = Libxo.Style()
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--libxo" || word.hasPrefix("--libxo=") {
                var value = String(word.dropFirst("--libxo=".count))
                if word == "--libxo" {
                    guard index < arguments.count else { return refuse("option requires an argument -- libxo") }
                    value = arguments[index]
                    index += 1
                }
                do { style = try Libxo.parse(value) } catch { return refuse(error.description) }
                continue
            }
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
        if sflag == 0 && proto == "carp" { return summary(style: style) }
        guard sflag > 0, let proto else { return refuse("only \"netstat -s -p carp\" and \"-p pfsync\" are provided; use ss(8), ip(8) or nstat(8)") }
        guard proto == "carp" || proto == "pfsync" else { return refuse("\(proto): protocol statistics are not provided here; see nstat(8)") }
        do {
            let reply = try carpd.request(proto == "carp" ? "stats" : "pfsyncstats")
            let stats = reply.pairs.reduce(into: [String: UInt64]()) { $0[$1.key] = UInt64($1.value) ?? 0 }
            if style.format != .text {
                out.print(proto == "carp"
                    ? Self.libxo("carp", Self.lines, stats, hideZero: sflag > 1, ownLines: Self.ownLines, style: style)
                    : Self.libxo("pfsync", Self.pfsyncLines, stats, hideZero: sflag > 1, style: style))
                return 0
            }
            out.print(proto == "carp" ? Self.render(stats, hideZero: sflag > 1) : Self.renderPfsync(stats, hideZero: sflag > 1))
            return 0
        } catch {
            out.printError("netstat: \(error)")
            return 1
        }
    }

    /// `netstat -p carp`: the virtual hosts on one screen (CarpSummary).
    private func summary(style: Libxo.Style) -> Int32 {
        do {
            let records = try carpd.records(showKey: false) ?? []
            let sysctls = try carpd.request("sysctl")
            var node = CarpSummary.Node()
            for (name, value) in zip(sysctls.values("name"), sysctls.values("value")) {
                switch name {
                case "net.inet.carp.demotion": node.demotion = Int(value) ?? 0
                case "net.inet.carp.preempt": node.preempt = Int(value) ?? 0
                case "net.inet.carp.allow": node.allow = Int(value) ?? 1
                case "net.inet.carp.maintenance": node.maintenance = Int(value) ?? 0
                default: break
                }
            }
            let pfsync = try carpd.pfsync()
            if style.format != .text {
                out.print(Libxo.document("carp-status", CarpSummary.value(records, node: node, pfsync: pfsync), style: style))
            } else {
                let now = UInt64(max(0, time(nil)))
                out.print(CarpSummary.render(records, node: node, pfsync: pfsync, time: CarpSummary.localTime(now: now)))
            }
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
    static let lines: [Line] = [
        Line("ipackets", "received-inet-packets", "\t%d packet%s received (IPv4)"),
        Line("ipackets6", "received-inet6-packets", "\t%d packet%s received (IPv6)"),
        Line("badif", "dropped-bad-interface", "\t\t%d packet%s discarded for bad interface"),
        Line("badttl", "dropped-wrong-ttl", "\t\t%d packet%s discarded for wrong TTL"),
        Line("hdrops", "dropped-short-header", "\t\t%d packet%s shorter than header"),
        Line("badsum", "dropped-bad-checksum", "\t\t%d discarded for bad checksum%s"),
        Line("badver", "dropped-bad-version", "\t\t%d discarded packet%s with a bad version"),
        Line("badlen", "dropped-short-packet", "\t\t%d discarded because packet too short"),
        Line("badauth", "dropped-bad-authentication", "\t\t%d discarded for bad authentication"),
        Line("badvhid", "dropped-bad-vhid", "\t\t%d discarded for bad vhid"),
        Line("badaddrs", "dropped-bad-address-list", "\t\t%d discarded because of a bad address list"),
        Line("opackets", "sent-inet-packets", "\t%d packet%s sent (IPv4)"),
        Line("opackets6", "sent-inet6-packets", "\t%d packet%s sent (IPv6)"),
        Line("onomem", "send-failed-memory-error", "\t\t%d send failed due to mbuf memory error"),
        Line("preempt", "transitions-to-master", "\t%d transition%s to master"),
    ]

    /// carpd's own counters after the BSD block, printed only when not zero, so that the
    /// block reads as the BSDs' as long as nothing went wrong.
    static let ownLines: [Line] = [
        Line("claimfail", "address-claims-failed", "\t%d address claim%s failed"),
    ]

    public static func render(_ stats: [String: UInt64], hideZero: Bool) -> String {
        block("carp:", lines, stats, hideZero: hideZero, ownLines: ownLines)
    }

    /// A statistics block: `title`, then a line per counter (`%d` its value, `%s` the plural
    /// "s" when not 1); zero lines hidden with -ss, and `ownLines` (carpd's) always when zero.
    static func block(_ title: String, _ lines: [Line], _ stats: [String: UInt64],
                      hideZero: Bool, ownLines: [Line] = []) -> String {
        var text = [title]
        for line in shown(lines, stats, hideZero: hideZero, ownLines: ownLines) {
            let n = stats[line.key] ?? 0
            text.append(line.format.replacingFirst("%d", with: String(n)).replacingFirst("%s", with: n == 1 ? "" : "s"))
        }
        return text.joined(separator: "\n")
    }

    /// The lines a block shows: every one, but the zero ones with -ss and carpd's own when zero.
    static func shown(_ lines: [Line], _ stats: [String: UInt64], hideZero: Bool, ownLines: [Line] = []) -> [Line] {
        (lines + ownLines).filter { line in
            (stats[line.key] ?? 0) != 0 || !(hideZero || ownLines.contains { $0.key == line.key })
        }
    }

    /// The same block for libxo, under FreeBSD's key names.
    static func libxo(_ container: String, _ lines: [Line], _ stats: [String: UInt64], hideZero: Bool,
                      ownLines: [Line] = [], style: Libxo.Style) -> String {
        let counters = shown(lines, stats, hideZero: hideZero, ownLines: ownLines)
            .map { Libxo.Field($0.xo, .number(Int64(clamping: stats[$0.key] ?? 0))) }
        return Libxo.document("statistics", .object([Libxo.Field(container, .object(counters))]), style: style)
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
    /// FreeBSD's libxo names; its own spelling "send-inet6-packets" kept.
    static let pfsyncLines: [Line] = [
        Line("ipackets", "received-inet-packets", "\t%d packet%s received (IPv4)"),
        Line("ipackets6", "received-inet6-packets", "\t%d packet%s received (IPv6)"),
        Line("badif", "dropped-bad-interface", "\t\t%d packet%s discarded for bad interface"),
        Line("badttl", "dropped-bad-ttl", "\t\t%d packet%s discarded for bad ttl"),
        Line("hdrops", "dropped-short-header", "\t\t%d packet%s shorter than header"),
        Line("badver", "dropped-bad-version", "\t\t%d packet%s discarded for bad version"),
        Line("badauth", "dropped-bad-auth", "\t\t%d packet%s discarded for bad HMAC"),
        Line("badact", "dropped-bad-action", "\t\t%d packet%s discarded for bad action"),
        Line("badlen", "dropped-short", "\t\t%d packet%s discarded for short packet"),
        Line("badval", "dropped-bad-values", "\t\t%d state%s discarded for bad values"),
        Line("stale", "dropped-stale-state", "\t\t%d stale state%s"),
        Line("badstate", "dropped-failed-lookup", "\t\t%d failed state lookup/insert%s"),
        Line("opackets", "sent-inet-packets", "\t%d packet%s sent (IPv4)"),
        Line("opackets6", "send-inet6-packets", "\t%d packet%s sent (IPv6)"),
        Line("onomem", "discarded-no-memory", "\t\t%d send failed due to mbuf memory error"),
        Line("oerrors", "send-errors", "\t\t%d send error"),
    ]

    public static func renderPfsync(_ stats: [String: UInt64], hideZero: Bool) -> String {
        block("pfsync:", pfsyncLines, stats, hideZero: hideZero)
    }
}
