import CARPTypes
import CNetlink

extension RouteSocket {
    /// Creates a vepa-mode macvlan `name` on `parentIndex` with MAC `mac` and IFLA_IFALIAS
    /// `alias`, in interface group `group` (0: the default group), and returns its ifindex.
    /// The link is left DOWN.
    ///
    /// In vepa mode a multicast frame sourced from the macvlan's own MAC (a second master's
    /// advertisement, sent from the same virtual MAC) goes to the parent, where carpd listens;
    /// private mode would keep it to the macvlan, which would then have to join the CARP
    /// groups, and every up macvlan that joins gets its own copy of every advertisement that
    /// arrives (a backup taking 255 vhids over dropped bow-outs under that flood). Nothing
    /// is sent from one macvlan to another in vepa mode either. After creation a second RTM_NEWLINK
    /// sets `IN6_ADDR_GEN_MODE_NONE` (so that both nodes do not auto-create the same fe80::
    /// address) and the alias: the kernel rejects the former and ignores the latter inside the
    /// create request. If that step fails the new link is deleted again and the error is thrown.
    ///
    /// Throws `isExists` if the name is taken (NLM_F_EXCL), `isNoDevice` if the parent is missing.
    public func createMacvlan(name: String, parentIndex: Int32, mac: [UInt8], alias: String, group: UInt32 = 0)
        throws(NetlinkError) -> Int32
    {
        let operation = "create macvlan \(name) on \(interfaceLabel(parentIndex)) with \(MACAddress(bytes: mac).map(String.init(describing:)) ?? "a bad MAC")"
        // The kernel caps aliases at IFALIASZ - 1 = 255 bytes; catch it before creating anything.
        guard InterfaceName.isValid(name), mac.count == 6, parentIndex > 0, alias.utf8.count < 256 else {
            throw nlInvalid(operation)
        }
        try addMacvlan(name: name, parentIndex: parentIndex, mac: mac, operation: operation)
        guard let created = try fetchLink(index: 0, name: name, operation: "get link \(name)") else {
            throw NetlinkError(operation: "get link \(name) after create", code: NLE_NODEV)
        }
        let index = Int32(rtnl_link_get_ifindex(created.raw))
        do {
            try configureCreated(index: index, name: name, alias: alias, group: group)
        } catch {
            try? deleteLink(index: index)
            throw error
        }
        return index
    }

    /// Brings link `index` administratively up or down (only IFF_UP is touched).
    ///
    /// Bringing a macvlan up fails with `isExists` when another up macvlan on the same parent, or
    /// the parent itself, already uses its MAC (kernel EADDRINUSE).
    public func setLink(index: Int32, up: Bool) throws(NetlinkError) {
        let operation = { "set \(interfaceLabel(index)) \(up ? "up" : "down")" }
        let target = try LinkObject(index: index, operation: operation())
        let change = try LinkObject(operation: operation())
        if up {
            rtnl_link_set_flags(change.raw, UInt32(IFF_UP))
        } else {
            rtnl_link_unset_flags(change.raw, UInt32(IFF_UP))
        }
        try nlCheck(rtnl_link_change(sock, target.raw, change.raw, 0), operation())
    }

    /// Sets the MTU of link `index` (`ifconfig IF mtu N`).
    public func setMTU(index: Int32, mtu: UInt32) throws(NetlinkError) {
        let operation = "set \(interfaceLabel(index)) mtu \(mtu)"
        let target = try LinkObject(index: index, operation: operation)
        let change = try LinkObject(operation: operation)
        rtnl_link_set_mtu(change.raw, mtu)
        try nlCheck(rtnl_link_change(sock, target.raw, change.raw, 0), operation)
    }

    /// Sets the MAC of link `index` (`ifconfig IF lladdr MAC`).
    public func setMAC(index: Int32, mac: [UInt8]) throws(NetlinkError) {
        let operation = "set \(interfaceLabel(index)) lladdr \(MACAddress(bytes: mac).map(String.init(describing:)) ?? "a bad MAC")"
        let target = try LinkObject(index: index, operation: operation)
        let change = try LinkObject(operation: operation)
        let address = try BinaryAddrObject(family: AF_LLC, bytes: mac, operation: operation)
        rtnl_link_set_addr(change.raw, address.raw)
        try nlCheck(rtnl_link_change(sock, target.raw, change.raw, 0), operation)
    }

    /// Deletes link `index`. Throws `isNoDevice` if it does not exist.
    public func deleteLink(index: Int32) throws(NetlinkError) {
        let label = interfaceLabel(index)  // before it disappears
        let target = try LinkObject(index: index, operation: "delete link \(label)")
        try nlCheck(rtnl_link_delete(sock, target.raw), "delete link \(label)")
    }

    /// Deletes every link in interface group `group` with one request (`ip link delete group
    /// N`): the kernel waits out one RCU grace period for all of them, where deleting them one
    /// by one costs ~25 ms each. The kernel refuses (EOPNOTSUPP) if any of them cannot be
    /// deleted, e.g. a physical device; the default group 0 is refused here.
    public func deleteLinks(group: UInt32) throws(NetlinkError) {
        let operation = "delete the links of group \(group)"
        guard group != 0 else { throw nlInvalid(operation) }
        try nlCheck(cnl_link_delete_group(sock, group), operation)
    }

    /// Sends the RTM_NEWLINK create request. libnl does not add NLM_F_CREATE for links itself.
    private func addMacvlan(name: String, parentIndex: Int32, mac: [UInt8], operation: String)
        throws(NetlinkError)
    {
        guard let raw = rtnl_link_macvlan_alloc() else {
            throw NetlinkError(operation: operation, code: NLE_NOMEM)
        }
        let link = LinkObject(owning: raw)
        try nlCheck(rtnl_link_macvlan_set_mode(link.raw, MACVLAN_MODE_VEPA.rawValue), operation)
        rtnl_link_set_link(link.raw, parentIndex)
        rtnl_link_set_name(link.raw, name)
        // AF_LLC is libnl's family for link-layer addresses.
        let lladdr = try BinaryAddrObject(family: AF_LLC, bytes: mac, operation: operation)
        rtnl_link_set_addr(link.raw, lladdr.raw)  // takes its own reference
        try nlCheck(rtnl_link_add(sock, link.raw, NLM_F_CREATE | NLM_F_EXCL), operation)
    }

    /// Sets IFLA_INET6_ADDR_GEN_MODE = none (must precede the first up), IFLA_IFALIAS and the
    /// group on a freshly created link. The first two are only honoured by a change request.
    private func configureCreated(index: Int32, name: String, alias: String, group: UInt32) throws(NetlinkError) {
        let operation = "set addrgenmode none and alias on \(name)"
        let target = try LinkObject(index: index, operation: operation)
        let change = try LinkObject(operation: operation)
        if !alias.isEmpty {
            rtnl_link_set_ifalias(change.raw, alias)
        }
        if group != 0 {
            rtnl_link_set_group(change.raw, group)
        }
        let mode = UInt8(IN6_ADDR_GEN_MODE_NONE.rawValue)
        try nlCheck(rtnl_link_inet6_set_addr_gen_mode(change.raw, mode), operation)
        try nlCheck(rtnl_link_change(sock, target.raw, change.raw, 0), operation)
    }
}
