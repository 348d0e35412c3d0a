import CARPCore
import CARPTypes

/// What `carpd -m` serves on /metrics (doc/metrics.md lists every family). Built from the
/// node's own state on the loop, without any system call: conntrackd's counters are the
/// ones last read (SyncWatch's polls, netstat), never fetched for a scrape.
extension Node {
    func writeMetrics(into out: inout PrometheusText, startTime: UInt64) {
        out.single("carp_build_info", .gauge, "carpd's version; always 1", [("version", CarpdConventions.version)], 1)
        out.single("carp_start_time_seconds", .gauge, "when this carpd started, seconds since the epoch", [], startTime)
        writeVhids(into: &out)
        for node in GlobalSettings.nodes {
            // net.inet.carp.allow is carp_allow; net.pfsync.carp_demotion_factor carp_pfsync_demotion_factor.
            let last = node.name.split(separator: ".").last.map(String.init) ?? node.name
            let name = node.name.hasPrefix("net.pfsync.") ? "carp_pfsync_" + last.dropFirst("carp_".count) : "carp_" + last
            out.single(name, .gauge, "sysctl \(node.name): \(node.help)", [], engine.settings[node])
        }
        out.family("carp_group_demote", .gauge, "demote counter of each interface group (ifconfig -g GROUP carpdemote)")
        for (group, count) in engine.groupDemote.sorted(by: { $0.key < $1.key }) { out.sample("carp_group_demote", [("group", group)], count) }
        for (name, value) in engine.statistics.all {
            out.single("carp_\(name)_total", .counter, "carpstats \(name), as netstat -s -p carp counts it", [], value)
        }
        writePfsync(into: &out)
    }

    /// One vhid as the families below read it, gathered once per scrape.
    private struct Vhid {
        var labels: [(String, String)]
        var record: VirtualHostRecord
        var host: VirtualHost
        var vrrpPriority: UInt8?
        var transitions: [TransitionCount: UInt64]
    }

    private typealias VhidFamily = (name: String, kind: PrometheusText.Kind, help: String, write: @Sendable (Vhid, String, inout PrometheusText) -> Void)

    private static let vhidFamilies: [VhidFamily] = [
        ("carp_vhid_state", .gauge, "1 for the state the vhid is in (INIT, BACKUP or MASTER), 0 for the others", { v, name, out in
            for state in CARPState.allCases { out.sample(name, v.labels + [("state", state.description)], v.record.state == state ? 1 : 0) }
        }),
        ("carp_vhid_advbase", .gauge, "advbase in effect, seconds (0: OpenBSD's sub-second advertisements)", { v, name, out in
            out.sample(name, v.labels, v.record.advbase)
        }),
        ("carp_vhid_advskew", .gauge, "advskew in effect", { v, name, out in out.sample(name, v.labels, v.record.advskew) }),
        ("carp_vhid_demote", .gauge, "demote count the vhid advertises (the sum over its interface groups)", { v, name, out in
            out.sample(name, v.labels, v.record.demote)
        }),
        ("carp_vhid_version", .gauge, "protocol: 2 CARP, 3 VRRPv3 (carpver)", { v, name, out in out.sample(name, v.labels, v.record.version ?? 2) }),
        ("carp_vhid_vrrp_priority", .gauge, "VRRPv3 vhids: the priority advertised now (vrrpprio less the demotion)", { v, name, out in
            if let priority = v.vrrpPriority { out.sample(name, v.labels, priority) }
        }),
        ("carp_vhid_vrrp_interval_seconds", .gauge, "VRRPv3 vhids: vrrpinterval", { v, name, out in
            if let interval = v.record.vrrpInterval { out.sample(name, v.labels, Double(interval) / 100) }
        }),
        ("carp_vhid_advertisements_sent_total", .counter, "advertisements sent", { v, name, out in out.sample(name, v.labels, v.host.sent) }),
        ("carp_vhid_advertisements_received_total", .counter, "advertisements accepted from the other nodes", { v, name, out in
            out.sample(name, v.labels, v.host.received)
        }),
        ("carp_vhid_transitions_total", .counter, "state changes, by new state and reason", { v, name, out in
            for (kind, count) in v.transitions.sorted(by: { ($0.key.to.rawValue, $0.key.reason.rawValue) < ($1.key.to.rawValue, $1.key.reason.rawValue) }) {
                out.sample(name, v.labels + [("to", kind.to.description), ("reason", kind.reason.rawValue)], count)
            }
        }),
        ("carp_vhid_last_transition_timestamp_seconds", .gauge, "when the vhid last changed state, seconds since the epoch", { v, name, out in
            if let since = v.record.since { out.sample(name, v.labels, since) }
        }),
    ]

    private func writeVhids(into out: inout PrometheusText) {
        // Pending carp interfaces (no carpdev or vhid yet) have no election to show.
        let vhids: [Vhid] = records().compactMap { record in
            let key = VirtualHostKey(carpdev: record.carpdev, vhid: record.vhid)
            guard let host = engine.hosts[key] else { return nil }
            var priority: UInt8?
            if case .vrrp(let rules) = host.machine.rules { priority = rules.effectivePriority(engine.context(for: key)) }
            return Vhid(labels: [("ifname", record.ifname), ("carpdev", record.carpdev), ("vhid", String(record.vhid))],
                        record: record, host: host, vrrpPriority: priority, transitions: transitionCounts[key] ?? [:])
        }
        for family in Self.vhidFamilies {
            out.family(family.name, family.kind, family.help)
            for vhid in vhids { family.write(vhid, family.name, &out) }
        }
    }

    private func writePfsync(into out: inout PrometheusText) {
        out.single("carp_pfsync_up", .gauge, "1 while pfsync0 is up with a syncdev (carpd runs conntrackd)", [], pfsync.wanted ? 1 : 0)
        out.single("carp_pfsync_in_sync", .gauge, "1 once pfsync0's bulk update has arrived (FreeBSD's syncok); 0 while it is awaited or pfsync0 is down",
                   [], pfsync.wanted && pfsync.watch.inSync ? 1 : 0)
        out.single("carp_pfsync_demotion", .gauge, "demotion pfsync0 holds while out of sync", [], engine.pfsyncDemotion)
        guard let statistics = pfsync.lastStatistics else { return }
        for (name, value) in statistics.bsdCounters {
            out.single("carp_pfsync_\(name)_total", .counter, "pfsyncstats \(name) from conntrackd's statistics as last read", [], value)
        }
    }
}
