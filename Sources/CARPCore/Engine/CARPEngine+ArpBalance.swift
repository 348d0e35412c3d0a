/// FreeBSD's (before 10) and pfSense's ARP balancing, `net.inet.carp.arpbalance=1`: vhids of
/// one carpdev that carry the same IPv4 address share it. Each ARP request for it is
/// answered by the MASTER of the vhid its sender's address picks (`ntohl(sender) % count`
/// over the vhids holding the address, by vhid), with that vhid's MAC. Like balanced
/// carpnodes, such vhids never claim or announce their addresses: the daemon keeps them on
/// every node and answers for them (Node+Balancing).
extension CARPEngine {
    /// The vhids that share an IPv4 address with another vhid of their carpdev, while
    /// arpbalance is on.
    func arpBalancedKeys() -> Set<VirtualHostKey> {
        guard settings.arpbalance == 1 else { return [] }
        var holders: [String: [VirtualHostKey]] = [:]
        for (key, host) in hosts {
            for prefix in host.machine.config.addresses where prefix.family == .inet {
                holders["\(key.carpdev) \(prefix.address)", default: []].append(key)
            }
        }
        return Set(holders.values.filter { $0.count > 1 }.flatMap { $0 })
    }

    /// The set again after a change: a MASTER that joins gives its addresses up to the
    /// data plane, one that leaves claims and announces them on its own link again.
    mutating func refreshArpBalance() -> [EngineOutput] {
        let now = arpBalancedKeys()
        guard now != arpBalanced else { return [] }
        let changed = now.symmetricDifference(arpBalanced).sorted()
        arpBalanced = now
        refreshNoClaim()
        var outputs: [EngineOutput] = [.balancingChanged]
        for key in changed {
            guard let host = hosts[key], host.machine.state == .master else { continue }
            if now.contains(key) {
                outputs.append(.vhost(key, .release(.down)))
            } else {
                outputs += [.vhost(key, .claim(host.machine.config.addresses)), .vhost(key, .announce(host.machine.config.addresses))]
            }
        }
        return outputs
    }

    /// The vhids sharing addresses on `carpdev` under arpbalance, by vhid.
    public func arpBalanced(on carpdev: String) -> [VirtualHostKey] {
        arpBalanced.filter { $0.carpdev == carpdev }.sorted()
    }

    public var arpBalancedCarpdevs: [String] { Set(arpBalanced.map(\.carpdev)).sorted() }
}
