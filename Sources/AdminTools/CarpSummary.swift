import CARPTypes
import Glibc

/// `netstat -p carp` (without -s): every virtual host of this node on one screen, as
/// pfSense's CARP status page lists them: interface, vhid, state, timing, demotion, since
/// when and why, addresses. `netstat -s -p carp` stays the counters.
enum CarpSummary {
    /// The node-wide lines above the table: the sysctls that decide elections.
    struct Node {
        var demotion = 0
        var preempt = 0
        var allow = 1
        var maintenance = 0
    }

    static func render(_ records: [VirtualHostRecord], node: Node, pfsync: PfsyncRecord?, time: (UInt64) -> String) -> String {
        var lines = ["CARP: allow \(node.allow) preempt \(node.preempt) demotion \(node.demotion)"
                     + (node.maintenance != 0 ? " MAINTENANCE MODE" : "")]
        if let p = pfsync { lines.append("pfsync0: syncok \(p.syncok ? 1 : 0) syncdev \(p.syncdev ?? "none") demotion \(p.demotion)") }
        let rows = records.filter { $0.vhid != 0 }.map { r in
            [interface(r), String(r.vhid), r.state.description, String(r.advbase), String(r.advskew), String(r.demote),
             r.since.map(time) ?? "-", r.reason ?? "-", r.addresses.map(\.description).joined(separator: " ")]
        }
        let header = ["Interface", "Vhid", "State", "Advbase", "Advskew", "Demote", "Since", "Reason", "Addresses"]
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! }
        // Numbers right-aligned, text left-aligned; the last column is not padded.
        let numeric: Set<Int> = [1, 3, 4, 5]
        for row in [header] + rows {
            let cells = row.indices.map { i -> String in
                let pad = String(repeating: " ", count: widths[i] - row[i].count)
                if i == row.count - 1 { return row[i] }
                return numeric.contains(i) ? pad + row[i] : row[i] + pad
            }
            lines.append(cells.joined(separator: "  "))
        }
        if rows.isEmpty { lines.append("(no virtual hosts)") }
        return lines.joined(separator: "\n")
    }

    /// carpN for OpenBSD's, the carpdev for a FreeBSD vhid (whose own interface is hidden).
    static func interface(_ r: VirtualHostRecord) -> String { r.named ? r.ifname : r.carpdev }

    static func value(_ records: [VirtualHostRecord], node: Node, pfsync: PfsyncRecord?) -> Libxo.Value {
        typealias F = Libxo.Field
        var fields = [F("allow", .number(Int64(node.allow))), F("preempt", .number(Int64(node.preempt))),
                      F("demotion", .number(Int64(node.demotion))), F("maintenance", .number(Int64(node.maintenance)))]
        if let p = pfsync { fields.append(F("pfsync", StatusXO.value(p))) }
        let vhosts: [Libxo.Value] = records.filter { $0.vhid != 0 }.map { r in
            var f = [F("interface", .string(interface(r))), F("vhid", .number(Int64(r.vhid))), F("carp-state", .string(r.state.description)),
                     F("advbase", .number(Int64(r.advbase))), F("advskew", .number(Int64(r.advskew))), F("demote", .number(Int64(r.demote)))]
            if let since = r.since { f.append(F("since", .number(Int64(since)))) }
            if let reason = r.reason { f.append(F("reason", .string(reason))) }
            f.append(F("address", .list(r.addresses.map { .string($0.description) })))
            return .object(f)
        }
        fields.append(F("vhost", .list(vhosts)))
        return .object(fields)
    }

    /// Local time: HH:MM:SS today, else `Mon DD HH:MM`, as ls(1) shortens dates.
    static func localTime(now: UInt64) -> (UInt64) -> String {
        { seconds in
            var t = time_t(seconds), tm = Glibc.tm(), today = Glibc.tm(), n = time_t(now)
            localtime_r(&t, &tm)
            localtime_r(&n, &today)
            let sameDay = tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday
            var buffer = [CChar](repeating: 0, count: 32)
            let count = strftime(&buffer, buffer.count, sameDay ? "%H:%M:%S" : "%b %e %H:%M", &tm)
            return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
