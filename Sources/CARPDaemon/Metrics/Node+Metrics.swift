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

    private func writeVhids(into out: inout PrometheusText) {
        // Pending carp interfaces (no carpdev or vhid yet) have no election to show.
        let all = records().filter { engine.hosts[VirtualHostKey(carpdev: $0.carpdev, vhid: $0.vhid)] != nil }
        let families: [(String, PrometheusText.Kind, String)] = [
            ("carp_vhid_state", .gauge, "1 for the state the vhid is in (INIT, BACKUP or MASTER), 0 for the others"),
            ("carp_vhid_advbase", .gauge, "advbase in effect, seconds (0: OpenBSD's sub-second advertisements)"),
            ("carp_vhid_advskew", .gauge, "advskew in effect"),
            ("carp_vhid_demote", .gauge, "demote count the vhid advertises (the sum over its interface groups)"),
            ("carp_vhid_version", .gauge, "protocol: 2 CARP, 3 VRRPv3 (carpver)"),
            ("carp_vhid_vrrp_priority", .gauge, "VRRPv3 vhids: the priority advertised now (vrrpprio less the demotion)"),
            ("carp_vhid_vrrp_interval_seconds", .gauge, "VRRPv3 vhids: vrrpinterval"),
            ("carp_vhid_advertisements_sent_total", .counter, "advertisements sent"),
            ("carp_vhid_advertisements_received_total", .counter, "advertisements accepted from the other nodes"),
            ("carp_vhid_transitions_total", .counter, "state changes, by new state and reason"),
            ("carp_vhid_last_transition_timestamp_seconds", .gauge, "when the vhid last changed state, seconds since the epoch"),
        ]
        for (name, kind, help) in families {
            out.family(name, kind, help)
            for record in all {
                let key = VirtualHostKey(carpdev: record.carpdev, vhid: record.vhid)
                let labels = [("ifname", record.ifname), ("carpdev", record.carpdev), ("vhid", String(record.vhid))]
                writeVhid(name, key: key, record: record, labels: labels, into: &out)
            }
        }
    }

    private func writeVhid(_ name: String, key: VirtualHostKey, record: VirtualHostRecord, labels: [(String, String)],
                           into out: inout PrometheusText) {
        switch name {
        case "carp_vhid_state":
            for state in CARPState.allCases { out.sample(name, labels + [("state", state.description)], record.state == state ? 1 : 0) }
        case "carp_vhid_advbase": out.sample(name, labels, record.advbase)
        case "carp_vhid_advskew": out.sample(name, labels, record.advskew)
        case "carp_vhid_demote": out.sample(name, labels, record.demote)
        case "carp_vhid_version": out.sample(name, labels, record.version ?? 2)
        case "carp_vhid_vrrp_priority":
            if case .vrrp(let rules)? = engine.hosts[key]?.machine.rules { out.sample(name, labels, rules.effectivePriority(engine.context(for: key))) }
        case "carp_vhid_vrrp_interval_seconds":
            if let interval = record.vrrpInterval { out.sample(name, labels, Double(interval) / 100) }
        case "carp_vhid_advertisements_sent_total": out.sample(name, labels, engine.hosts[key]?.sent ?? 0)
        case "carp_vhid_advertisements_received_total": out.sample(name, labels, engine.hosts[key]?.received ?? 0)
        case "carp_vhid_transitions_total":
            let counts = (transitionCounts[key] ?? [:]).sorted { ($0.key.to.rawValue, $0.key.reason.rawValue) < ($1.key.to.rawValue, $1.key.reason.rawValue) }
            for (kind, count) in counts {
                out.sample(name, labels + [("to", kind.to.description), ("reason", kind.reason.rawValue)], count)
            }
        default:
            if let since = record.since { out.sample(name, labels, since) }
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
