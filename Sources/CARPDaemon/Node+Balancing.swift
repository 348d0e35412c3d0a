import CARPControl
import CARPCore
import Glibc
import LinuxHost
import Netlink

/// What carpd has put in place for its balanced interfaces (`balancing ip`), so that each
/// refresh changes only what differs:
/// - every node holds the interface's addresses, as host addresses on the loopback (the
///   carpdev ignores ARP for them: arp_ignore=1, HostTuning);
/// - carpd's nftables table takes this node's share of the frames to the group MAC
///   (BalancingRuleset) and drops the rest;
/// - the MASTER of the lowest vhid answers ARP and neighbour solicitations for the
///   addresses with the group MAC (NeighborReplies), which no Linux interface can carry.
struct BalancingPlane {
    struct Membership: Hashable {
        var mac: [UInt8]
        var ifindex: Int32
    }

    /// How a hashed mode picks the one that answers a requester.
    enum Pick {
        /// `balancing arp`: carp_hash of the requester's MAC with the key.
        case carpHash(CARPKey)
        /// arpbalance: the requester's IPv4 address as a number.
        case sender
    }

    struct Answer {
        var ifindex: Int32
        /// The MAC given (and, in the hashed modes, its frame's source).
        var mac: [UInt8]
        /// The hashed modes: the candidates in order, each its MAC when this node is its
        /// MASTER, nil when another node answers for it.
        var pick: (how: Pick, candidates: [[UInt8]?])?
    }

    /// The ruleset in the kernel; nil before the first one.
    var ruleset: BalancingRuleset?
    var loopback: Set<IPPrefix> = []
    var memberships: Set<Membership> = []
    /// The addresses this node answers for, while MASTER of their interface's lowest vhid.
    var answers: [IPAddress: Answer] = [:]
}

extension Node {
    /// One balanced interface as the data plane needs it.
    struct BalancedInterface {
        var group: BalancingRuleset.Group
        var addresses: [IPPrefix]
        /// This node is MASTER of the lowest vhid (`arp`: of any carpnode): it answers ARP and NS.
        var answering: Bool
        var parentIndex: Int32
        /// The hashed modes, per address: how the answer is picked among its candidates.
        var picks: [IPAddress: (how: BalancingPlane.Pick, candidates: [[UInt8]?])] = [:]
        /// The hashed modes: every candidate's MAC, which the carpdev must receive.
        var carpnodeMACs: [[UInt8]] = []
    }

    /// OpenBSD's MAC for a balanced interface: the lowest vhid's, with the multicast bit in
    /// `ip` mode (switches flood it); unicast in `ip-stealth` and `ip-unicast`, never sent
    /// from, so that switches never learn it and keep flooding it.
    static func groupMAC(leader vhid: UInt8, mode: BalancingMode) -> MACAddress {
        MACAddress(bytes: [mode == .ip ? 1 : 0, 0, 0x5e, 0, 1, vhid])!
    }

    func balancedInterfaces() -> [BalancedInterface] {
        engine.interfaces.keys.sorted().compactMap { name -> BalancedInterface? in
            guard let interface = engine.interfaces[name], interface.balancing.isBalanced,
                  let leader = interface.carpnodes.first, let config = engine.hosts[leader]?.machine.config,
                  let parent = parents[leader.carpdev] else { return nil }
            let group = BalancingRuleset.Group(name: name, carpdev: leader.carpdev, mac: Self.groupMAC(leader: leader.vhid, mode: interface.balancing),
                                               lscount: interface.vhosts.count, lsmask: interface.lsmask, families: config.families)
            guard interface.balancing == .arp else {
                return BalancedInterface(group: group, addresses: config.addresses, answering: interface.masters.contains(leader),
                                         parentIndex: parent.index)
            }
            // carp_hash picks the carpnode per requester; each MASTER answers for its own.
            let keys = interface.carpnodes
            return hashedInterface(group, keys: keys, addresses: config.addresses, parent: parent, how: .carpHash(config.key)) { _ in keys }
        } + engine.arpBalancedCarpdevs.compactMap(arpBalancedInterface)
    }

    /// arpbalance's vhids on `carpdev` as one data plane: every address of theirs on every
    /// node, each answered by the holder the sender's address picks.
    private func arpBalancedInterface(_ carpdev: String) -> BalancedInterface? {
        let keys = engine.arpBalanced(on: carpdev)
        guard let parent = parents[carpdev], let first = keys.first else { return nil }
        let configs = keys.compactMap { key in engine.hosts[key].map { (key, $0.machine.config) } }
        let group = BalancingRuleset.Group(name: "arpbalance_\(carpdev)", carpdev: carpdev, mac: MACAddress.virtual(vhid: first.vhid),
                                           lscount: keys.count, lsmask: 0, families: [.inet])
        return hashedInterface(group, keys: keys, addresses: configs.flatMap(\.1.addresses), parent: parent, how: .sender) { address in
            configs.filter { $0.1.addresses.contains { $0.address == address } }.map(\.0)
        }
    }

    /// The hashed modes (`balancing arp`, arpbalance): every vhid in `keys` has its own MAC;
    /// an address is answered by the one `how` picks among its `holders`, by this node if it
    /// is that one's MASTER, with its MAC; the frames to the MACs of this node's MASTERs are
    /// taken.
    private func hashedInterface(_ group: BalancingRuleset.Group, keys: [VirtualHostKey], addresses: [IPPrefix], parent: ParentState,
                                 how: BalancingPlane.Pick, holders: (IPAddress) -> [VirtualHostKey]) -> BalancedInterface {
        let mac = { (key: VirtualHostKey) in self.macvlans[key]?.mac.bytes ?? MACAddress.virtual(vhid: key.vhid).bytes }
        let master = { (key: VirtualHostKey) in self.engine.hosts[key]?.machine.state == .master }
        var group = group
        group.ownedMACs = keys.filter(master).compactMap { MACAddress(bytes: mac($0)) }
        var unique: [IPPrefix] = []
        var picks: [IPAddress: (how: BalancingPlane.Pick, candidates: [[UInt8]?])] = [:]
        for prefix in addresses where picks[prefix.address] == nil {
            unique.append(prefix)
            picks[prefix.address] = (how, holders(prefix.address).map { master($0) ? mac($0) : nil })
        }
        return BalancedInterface(group: group, addresses: unique, answering: keys.contains(where: master), parentIndex: parent.index,
                                 picks: picks, carpnodeMACs: keys.map(mac))
    }

    /// Brings the data plane up to date with the engine.
    func refreshBalancing() {
        balancingChanged = false
        let wanted = balancedInterfaces()
        refreshLoopback(Set(wanted.flatMap { $0.addresses.map(Self.hostPrefix) }))
        let ruleset = BalancingRuleset(groups: wanted.map(\.group))
        if ruleset != balancing.ruleset && !(ruleset.groups.isEmpty && balancing.ruleset == nil) { applyRuleset(ruleset) }
        refreshResponder(wanted)
    }

    /// Everything away (exit).
    func clearBalancing() {
        guard balancing.ruleset != nil || !balancing.loopback.isEmpty else { return }
        refreshLoopback([])
        applyRuleset(BalancingRuleset(groups: []))
        refreshResponder([])
    }

    static func hostPrefix(_ prefix: IPPrefix) -> IPPrefix {
        IPPrefix(address: prefix.address, length: prefix.family == .inet ? 32 : 128)
    }

    private func refreshLoopback(_ wanted: Set<IPPrefix>) {
        guard wanted != balancing.loopback else { return }
        guard let lo = (try? route.link(named: "lo"))?.index else {
            emit(.error, "carp: balancing: no loopback interface")
            return
        }
        let adding = wanted.subtracting(balancing.loopback).sorted { $0.description < $1.description }
        let removing = balancing.loopback.subtracting(wanted).sorted { $0.description < $1.description }
        let requests = adding.map { RouteRequest.addAddress(ifindex: lo, $0, flags: $0.family == .inet6 ? AddressFlag.nodad : 0) }
            + removing.map { RouteRequest.deleteAddress(ifindex: lo, $0) }
        for (request, error) in zip(requests, route.perform(requests)) {
            guard let error, !error.isExists, !error.isNoAddress else { continue }
            emit(.error, "carp: balancing: \(error)")
            if case .addAddress(_, let prefix, _) = request { balancing.loopback.remove(prefix) }
        }
        balancing.loopback = wanted
    }

    /// One `nft -f` transaction, so a takeover never leaves a moment in which a flow is taken
    /// by two nodes or by none of the living: the whole table after a change of
    /// configuration, only the owned sets after a takeover (the remainder maps are large).
    private func applyRuleset(_ ruleset: BalancingRuleset) {
        guard nftables.loadEngine() != nil else {
            emit(.error, "carp: balancing: nft not found (install nftables); no node takes this node's flows")
            return
        }
        let owners = balancing.ruleset.map { $0.structure == ruleset.structure && !ruleset.groups.isEmpty } ?? false
        let path = options.runtimeDirectory + (owners ? "/balancing-owners.nft" : "/balancing.nft")
        do {
            try files.write(owners ? ruleset.ownersScript : ruleset.script, to: path)
        } catch {
            emit(.error, "carp: balancing: \(error)")
            return
        }
        if let complaint = nftables.apply(file: path) {
            emit(.error, "carp: balancing: nft: \(complaint)")
            return
        }
        balancing.ruleset = ruleset
    }

    private func refreshResponder(_ wanted: [BalancedInterface]) {
        var memberships = Set<BalancingPlane.Membership>()
        var answers: [IPAddress: BalancingPlane.Answer] = [:]
        for interface in wanted {
            memberships.insert(.init(mac: interface.group.mac.bytes, ifindex: interface.parentIndex))
            for mac in interface.carpnodeMACs { memberships.insert(.init(mac: mac, ifindex: interface.parentIndex)) }
            for prefix in interface.addresses {
                if case .v6(let address) = prefix.address {
                    memberships.insert(.init(mac: NeighborReplies.solicitedNodeMAC(address), ifindex: interface.parentIndex))
                }
                if interface.answering {
                    answers[prefix.address] = .init(ifindex: interface.parentIndex, mac: interface.group.mac.bytes,
                                                    pick: interface.picks[prefix.address])
                }
            }
        }
        for m in memberships.subtracting(balancing.memberships) {
            do { try packets.neighborMembership(m.mac, ifindex: m.ifindex, join: true) } catch { emit(.warning, "carp: balancing: \(error)") }
        }
        for m in balancing.memberships.subtracting(memberships) { try? packets.neighborMembership(m.mac, ifindex: m.ifindex, join: false) }
        balancing.memberships = memberships
        balancing.answers = answers
        do { try packets.listenNeighbors(!answers.isEmpty) } catch { emit(.warning, "carp: balancing: \(error)") }
    }

    /// An ARP request or neighbour solicitation heard on a carpdev: answered with the group
    /// MAC, from the carpdev's own, when it asks for an address this node answers for. In
    /// `arp` mode the carpnode carp_hash picks from the requester's MAC answers, from its own
    /// MAC (which teaches the switch where it is), if this node is its MASTER.
    func neighborRequest(_ frame: [UInt8], ifindex: Int32) {
        guard let request = NeighborReplies.request(in: frame), let answer = balancing.answers[request.target],
              answer.ifindex == ifindex, let carpdev = carpdevByIndex[ifindex], var source = parents[carpdev]?.mac else { return }
        var mac = answer.mac
        if let pick = answer.pick, !pick.candidates.isEmpty {
            let hash: UInt32
            switch (pick.how, request.requester) {
            case (.carpHash(let key), _) where request.requesterMAC.count == 6:
                hash = BalancingHash.carpHash(key: key, mac: request.requesterMAC)
            case (.sender, .v4(let sender)):
                hash = sender.value  // FreeBSD's ntohl(sender) % count
            case (.sender, .v6):
                hash = 0  // arpbalance is IPv4's; an IPv6 address of such a vhid has one holder
            default:
                return
            }
            guard let own = pick.candidates[Int(hash % UInt32(pick.candidates.count))] else { return }
            (mac, source) = (own, own)
        }
        let reply: [UInt8]? = switch request.target {
        case .v4: NeighborReplies.arpReply(to: request, answer: mac, source: source)
        case .v6: NeighborReplies.advertisement(to: request, answer: mac, source: source,
                                                router: (try? files.readSysctl("net/ipv6/conf/all/forwarding")) == "1")
        }
        guard let reply else { return }
        if let error = packets.send(frames: [OutgoingFrame(frame: reply, ifindex: ifindex)]).first ?? nil {
            emit(.warning, "carp: balancing: reply: \(error)")
        }
    }
}

extension Node {
    /// A start after a crash: carpd's table of the dead carpd goes before the configuration
    /// is replayed. The last script it applied tells whether it left one: none written, or
    /// the one that deletes the table (a clean exit), and no nft runs. The file is read
    /// first: `loadEngine` opens libnftables, which a node without balancing does not need.
    func removeStaleRuleset() {
        let empty = BalancingRuleset(groups: [])
        guard let last = files.read(options.runtimeDirectory + "/balancing.nft"), last != empty.script,
              nftables.loadEngine() != nil else { return }
        applyRuleset(empty)
        balancing.ruleset = nil
    }

    /// `carpd -C`: the loopback addresses of the balanced interfaces in the saved state.
    static func deleteBalancedVIPs(statePath: String, route: RoutePort, files: FilePort) -> [String] {
        guard let text = files.read(statePath), let lo = (try? route.link(named: "lo"))?.index else { return [] }
        let held = Set(((try? route.addresses(ifindex: lo)) ?? []).map(\.prefix))
        var removed: [String] = []
        for (_, request) in savedRequests(text) {
            guard let message = try? request.get(), message.command == "set", let change = try? message.virtualHostChange(),
                  change.balancing?.isBalanced == true, (change.carpnodes?.count ?? 0) > 1 else { continue }
            for prefix in change.add.map(hostPrefix) where held.contains(prefix) {
                if (try? route.apply(.deleteAddress(prefix), ifindex: lo)) != nil { removed.append("\(prefix) from lo") }
            }
        }
        return removed
    }
}
