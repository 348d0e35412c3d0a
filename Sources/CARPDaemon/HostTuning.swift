import Logging

/// The sysctls carpd changes, remembered so they are restored on exit.
///
/// carpdev:  arp_ignore=1    the parent must not answer ARP for a VIP with its own MAC
///           arp_filter=1    likewise, per route (parent only: conf.all would silence the macvlan)
///           arp_announce=2  traffic from a VIP routed via the parent must not teach peers the parent MAC
/// macvlan:  arp_ignore=1    the macvlan must not answer ARP for the parent's address
///           rp_filter=0     an address-less macvlan otherwise drops every advertisement
///           accept_local=1  hear advertisements whose source is local (several nodes on one host)
///           promote_secondaries=1  removing one VIP must not remove the others in its prefix
///           accept_ra=0, router_solicitations=0  nothing may leave the virtual MAC but CARP
/// all:      rp_filter=0     the effective value is max(all, iface); other interfaces keep
///                           their old effective value by raising their own setting.
/// pfsync0:  nf_conntrack_tcp_be_liberal=1  while it runs: when one VIP of a firewall pair
///                           has moved and the other not yet, a connection's two directions
///                           cross different nodes, and strict window tracking marks the
///                           replies a node sees without their data invalid: its stack then
///                           answers them with a reset (seen in bench/firewall, "return").
struct HostTuning {
    private var saved: [(key: String, value: String)] = []
    private var tunedParents: Set<String> = []
    private var allLowered = false
    let log: Logger
    let files: FilePort
    /// The originals are written here on every change, so that a carpd killed with -9
    /// (or `carpd -C` after it) can still put them back.
    let savedPath: String

    init(log: Logger, files: FilePort, savedPath: String) {
        self.log = log
        self.files = files
        self.savedPath = savedPath
        // Originals recorded by a carpd that died: they stay the values to restore.
        saved = Self.load(files.read(savedPath) ?? "")
    }

    /// `key value` per line.
    static func load(_ text: String) -> [(key: String, value: String)] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    private func persist() {
        let text = saved.map { "\($0.key) \($0.value)\n" }.joined()
        do { try files.write(text, to: savedPath) } catch { log.error("cannot save the changed sysctls: \(error)") }
    }

    mutating func tuneParent(_ name: String) {
        guard tunedParents.insert(name).inserted else { return }
        for (knob, value) in [("arp_ignore", "1"), ("arp_filter", "1"), ("arp_announce", "2")] {
            set("net/ipv4/conf/\(name)/\(knob)", value, remember: true)
        }
        lowerAllRPFilter()
    }

    /// One receive socket joins 224.0.0.18 on every carpdev (not on the macvlans), and the
    /// kernel allows a socket net.ipv4.igmp_max_memberships (20 by default) groups: raise
    /// it, in steps of 64.
    mutating func ensureMulticastMemberships(_ count: Int) {
        let key = "net/ipv4/igmp_max_memberships"
        guard let text = try? files.readSysctl(key), let current = Int(text), current < count else { return }
        set(key, String((count / 64 + 1) * 64), remember: true)
    }

    /// The macvlan is ours and deleted on exit: nothing to remember.
    mutating func tuneMacvlan(_ name: String) {
        for (knob, value) in [("arp_ignore", "1"), ("rp_filter", "0"), ("accept_local", "1"), ("promote_secondaries", "1")] {
            set("net/ipv4/conf/\(name)/\(knob)", value, remember: false)
        }
        for (knob, value) in [("accept_ra", "0"), ("router_solicitations", "0")] {
            set("net/ipv6/conf/\(name)/\(knob)", value, remember: false)
        }
    }

    private mutating func lowerAllRPFilter() {
        guard !allLowered else { return }
        allLowered = true
        guard let all = try? files.readSysctl("net/ipv4/conf/all/rp_filter"), let level = Int(all), level > 0 else { return }
        for name in files.list("/proc/sys/net/ipv4/conf") where !["all", "default"].contains(name) {
            let key = "net/ipv4/conf/\(name)/rp_filter"
            if let own = try? files.readSysctl(key), let value = Int(own), value < level {
                set(key, String(level), remember: true)
            }
        }
        set("net/ipv4/conf/all/rp_filter", "0", remember: true)
    }

    private mutating func set(_ key: String, _ value: String, remember: Bool) {
        do {
            let old = try files.readSysctl(key)
            guard old != value else { return }
            if remember && !saved.contains(where: { $0.key == key }) {
                saved.append((key, old))
                persist()
            }
            try files.writeSysctl(key, value)
        } catch {
            log.warning("sysctl \(key.replacingSlashes)=\(value): \(error)")
        }
    }

    /// Liberal TCP window tracking while pfsync0 runs (see above); the old value back after.
    mutating func setLiberalTCP(_ on: Bool) {
        let key = "net/netfilter/nf_conntrack_tcp_be_liberal"
        if on {
            set(key, "1", remember: true)
        } else if let index = saved.firstIndex(where: { $0.key == key }) {
            do { try files.writeSysctl(key, saved[index].value) } catch { log.warning("sysctl \(key.replacingSlashes): \(error)") }
            saved.remove(at: index)
            persist()
        }
    }

    /// Puts every changed value back, newest first.
    mutating func restore() {
        for (key, value) in saved.reversed() {
            do { try files.writeSysctl(key, value) } catch { log.warning("sysctl \(key.replacingSlashes)=\(value): \(error)") }
        }
        saved = []
        files.remove(savedPath)
        tunedParents = []
        allLowered = false
    }
}

extension String {
    /// /proc/sys path to sysctl(8) name.
    var replacingSlashes: String { split(separator: "/").joined(separator: ".") }
}
