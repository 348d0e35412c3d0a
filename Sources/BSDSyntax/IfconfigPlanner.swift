import CARPTypes

/// What the planner needs to know about the interface a line names.
public struct IfconfigContext: Hashable, Sendable {
    /// A kernel link of that name exists.
    public var linkExists: Bool
    /// carpd knows a carp interface of that name (with or without a vhid yet).
    public var isCarpInterface: Bool
    /// That carp interface's addresses.
    public var carpAddresses: [IPPrefix]
    /// FreeBSD-style vhids on this interface and their addresses.
    public var parentVhids: [UInt8: [IPPrefix]]
    /// The link's own addresses.
    public var linkAddresses: [IPPrefix]

    public init(linkExists: Bool, isCarpInterface: Bool = false, carpAddresses: [IPPrefix] = [],
                parentVhids: [UInt8: [IPPrefix]] = [:], linkAddresses: [IPPrefix] = []) {
        self.linkExists = linkExists
        self.isCarpInterface = isCarpInterface
        self.carpAddresses = carpAddresses
        self.parentVhids = parentVhids
        self.linkAddresses = linkAddresses
    }
}

/// One step of applying a line: a change carpd makes (to a virtual host, or removing a
/// carp interface), or a netlink change to a plain link.
public enum IfconfigOperation: Hashable, Sendable {
    case set(VirtualHostChange)
    case remove(ifname: String)
    case link(LinkChange)
    case pfsync(PfsyncChange)
    /// A FreeBSD inet6 option of a plain link (a net.ipv6.conf.IF sysctl).
    case nd6(ND6Option, Bool)
}

/// Request + context -> ordered operations, in FreeBSD's order: link changes, CARP,
/// address removal, address addition. The same plan serves `ifconfig` and carpd's boot files.
public enum IfconfigPlanner {
    /// OpenBSD's cloned carp interfaces are carpN.
    public static func isCarpName(_ name: String) -> Bool {
        name.count > 4 && name.hasPrefix("carp") && name.dropFirst(4).allSatisfy { $0.isASCII && $0.isNumber }
    }

    public static func plan(_ r: IfconfigRequest, ifname: String, context: IfconfigContext) throws(UsageError) -> [IfconfigOperation] {
        if PfsyncRecord.isPfsyncName(ifname) { return try pfsync(r, ifname: ifname) }
        if !r.pfsync.isEmpty { throw UsageError("\(r.pfsyncWordsUsed.first ?? "syncdev"): only a pfsync interface has it") }
        if context.isCarpInterface || (!context.linkExists && isCarpName(ifname)) {
            return try carpInterface(r, ifname: ifname, context: context)
        }
        guard context.linkExists else { throw UsageError("\(ifname): no such interface") }
        return try parent(r, ifname: ifname, context: context)
    }

    // MARK: - OpenBSD carpN

    static func carpInterface(_ r: IfconfigRequest, ifname: String, context: IfconfigContext) throws(UsageError) -> [IfconfigOperation] {
        if r.destroy {
            guard context.isCarpInterface else { throw UsageError("\(ifname): no such interface") }
            return [.remove(ifname: ifname)]
        }
        if r.create && context.isCarpInterface && !r.hasCARPParameters && r.addresses.isEmpty {
            throw UsageError("\(ifname): interface exists")
        }
        if r.mtu != nil { throw UsageError("\(ifname): mtu: set it on the carpdev") }
        if let option = r.nd6.keys.first { throw UsageError("\(ifname): \(option.rawValue): set it on the carpdev") }
        var change = r.carp
        change.ifname = ifname
        change.up = r.up
        change.lladdr = r.lladdr
        for prefix in r.addresses {
            switch r.addressAction {
            case .delete:
                change.delete.append(prefix)
            case .add:
                change.add.append(prefix)
            case .replace:
                // Without `alias` an address replaces the first one of its family.
                if let old = context.carpAddresses.first(where: { $0.family == prefix.family }), old.address != prefix.address {
                    change.delete.append(old)
                }
                change.add.append(prefix)
            }
        }
        return [.set(change)]
    }

    // MARK: - FreeBSD vhids on a parent, plain interfaces

    static func parent(_ r: IfconfigRequest, ifname: String, context: IfconfigContext) throws(UsageError) -> [IfconfigOperation] {
        if r.create || r.destroy { throw UsageError("\(ifname): \(r.create ? "create" : "destroy"): only carp interfaces are cloned") }
        if r.carp.carpdev != nil { throw UsageError("carpdev: only a carp interface has a carpdev") }
        if r.carp.carpnodes != nil || r.carp.balancing != nil {
            throw UsageError("\(r.carp.carpnodes != nil ? "carpnodes" : "balancing"): only a carp interface balances (OpenBSD's carpN)")
        }
        // Linux has only numbered link groups, and carpd numbers its macvlans with them.
        if r.usesGroups { throw UsageError("\(ifname): group: interface groups are kept for carp interfaces only on Linux") }
        if r.carp.vhid == nil, let word = r.carpWordsUsed.first { throw UsageError("\(word) requires vhid") }
        // The inet6 options first: no_dad or -ifdisabled must hold when an address is added.
        var ops: [IfconfigOperation] = r.nd6.sorted { $0.key.bit < $1.key.bit }.map { .nd6($0.key, $0.value) }
        if let mtu = r.mtu { ops.append(.link(.setMTU(UInt32(mtu)))) }
        if let mac = r.lladdr {
            if let vhid = r.carp.vhid { throw UsageError("lladdr: vhid \(vhid) uses \(MACAddress.virtual(vhid: vhid)); set lladdr on a carp interface") }
            ops.append(.link(.setMAC(mac)))
        }
        if let up = r.up { ops.append(.link(.setUp(up))) }
        if r.carp.vhid != nil {
            var change = r.carp
            change.carpdev = ifname
            // A vhid address is always added (FreeBSD users write `alias`); -alias removes it.
            if r.addressAction == .delete { change.delete = r.addresses } else { change.add = r.addresses }
            return ops + [.set(change)]
        }
        return ops + (try plainAddresses(r, ifname: ifname, context: context))
    }

    static func plainAddresses(_ r: IfconfigRequest, ifname: String, context: IfconfigContext) throws(UsageError) -> [IfconfigOperation] {
        var ops: [IfconfigOperation] = []
        for prefix in r.addresses {
            let existing = context.linkAddresses.first { $0.address == prefix.address }
            switch r.addressAction {
            case .delete:
                // -alias of a vhid address goes to carpd, which owns it.
                if let vhid = context.parentVhids.first(where: { $0.value.contains { $0.address == prefix.address } })?.key {
                    var change = VirtualHostChange(carpdev: ifname, vhid: vhid)
                    change.delete = [prefix]
                    ops.append(.set(change))
                    continue
                }
                guard let existing else { throw UsageError("\(prefix.address): Can't assign requested address") }
                ops.append(.link(.deleteAddress(existing)))
            case .replace, .add:
                if r.addressAction == .replace, prefix.family == .inet,
                   let first = context.linkAddresses.first(where: { $0.family == .inet }), first.address != prefix.address {
                    ops.append(.link(.deleteAddress(first)))
                }
                if let existing {
                    if existing.length == prefix.length { continue }
                    ops.append(.link(.deleteAddress(existing)))
                }
                ops.append(.link(.addAddress(prefix)))
            }
        }
        return ops
    }

    // MARK: - pfsync0

    /// pfsync0 is carpd's (it runs conntrackd for it): its words, up/down, create (implied,
    /// as OpenBSD's ifconfig clones on first use) and destroy. No addresses, no CARP words.
    static func pfsync(_ r: IfconfigRequest, ifname: String) throws(UsageError) -> [IfconfigOperation] {
        guard ifname == PfsyncRecord.interfaceName else {
            throw UsageError("\(ifname): only \(PfsyncRecord.interfaceName) is provided (one conntrackd per carpd)")
        }
        if r.hasCARPParameters { throw UsageError("\(ifname): vhid, carpdev and the other CARP words belong to a carp interface") }
        if !r.addresses.isEmpty { throw UsageError("\(ifname): a pfsync interface has no addresses") }
        if r.mtu != nil || r.lladdr != nil { throw UsageError("\(ifname): \(r.mtu != nil ? "mtu" : "lladdr"): not settable on a pfsync interface") }
        if let option = r.nd6.keys.first { throw UsageError("\(ifname): \(option.rawValue): not settable on a pfsync interface") }
        var change = r.pfsync
        change.up = r.up
        if r.destroy { change.destroy = true }
        return [.pfsync(change)]
    }
}
