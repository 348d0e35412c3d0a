/// OpenBSD's load balancing of one carp interface (`balancing MODE`): how its carpnodes
/// share the traffic for its addresses.
public enum BalancingMode: String, Hashable, Sendable, CaseIterable {
    /// Failover only: the MASTER of the first carpnode holds the addresses.
    case none
    /// OpenBSD 4.5-5.8: ARP requests answered by the carpnode `carp_hash(requester MAC)` picks.
    case arp
    /// Every node receives the traffic (multicast MAC 01:00:5e:00:01:<lowest vhid>) and keeps
    /// the flows whose hash of source and destination falls on a carpnode it is MASTER of.
    case ip
    /// As `ip`, with the unicast virtual MAC, never sent from: switches keep flooding it.
    case ipStealth = "ip-stealth"
    /// As `ip-stealth`, for hubs and switches that flood unicast on their own.
    case ipUnicast = "ip-unicast"

    /// The modes in which every node takes its share of each packet stream.
    public var sharesPackets: Bool { self == .ip || self == .ipStealth || self == .ipUnicast }

    /// The carpnodes share the traffic: the addresses stay on every node whatever the states.
    public var isBalanced: Bool { self != .none }
}

/// One carpnode of a carp interface (`carpnodes vhid:advskew,...`): its own virtual host on
/// the wire, sharing the interface's addresses, key and advbase.
public struct CarpNode: Hashable, Sendable, CustomStringConvertible {
    public var vhid: UInt8
    public var advskew: UInt8

    public init(vhid: UInt8, advskew: UInt8) {
        self.vhid = vhid
        self.advskew = advskew
    }

    public var description: String { "\(vhid):\(advskew)" }

    /// OpenBSD's CARP_MAXNODES.
    public static let maximumCount = 32

    /// `vhid:advskew,...` with OpenBSD ifconfig's checks and words; vhids 1-254, each once.
    public static func parseList(_ text: String) throws(ValueError) -> [CarpNode] {
        var nodes: [CarpNode] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard nodes.count < maximumCount else { throw ValueError("too many carp nodes") }
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let vhid = UInt(parts[0]), let advskew = UInt(parts[1]) else {
                throw ValueError("non parsable arg: \(item)")
            }
            guard vhid < 255 else { throw ValueError("vhid \(vhid): value too large") }
            guard advskew < 255 else { throw ValueError("advskew \(advskew): value too large") }
            guard vhid > 0 else { throw ValueError("vhid 0: value too small") }
            guard !nodes.contains(where: { $0.vhid == UInt8(vhid) }) else { throw ValueError("vhid \(vhid): used twice") }
            nodes.append(CarpNode(vhid: UInt8(vhid), advskew: UInt8(advskew)))
        }
        return nodes
    }

    public static func format(_ nodes: [CarpNode]) -> String { nodes.map(\.description).joined(separator: ",") }
}
