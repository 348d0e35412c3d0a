import CARPControl
import CARPCore
import CARPTypes
import Glibc
import Netlink

/// OpenBSD's `lladdr` set to the carpdev's own MAC, for switches and hypervisors that refuse
/// foreign MACs. Linux refuses a macvlan with its parent's MAC (EADDRINUSE), so such a carp
/// interface has no link: while MASTER its VIPs are on the carpdev, announced from the
/// carpdev's MAC, and they leave it on BACKUP, INIT and exit. The HMAC leaves the MAC out,
/// as OpenBSD's does for its real MAC (sc_realmac).
extension Node {
    /// The carp interface of `key` on its carpdev. VIPs of `wanted` already on the carpdev
    /// (left by a carpd killed with -9) are known from here on, so the first release removes them.
    func carpdevInterface(_ key: VirtualHostKey, ifname: String, parent: ParentState, wanted: [IPPrefix],
                          virtualMAC: MACAddress) throws(ControlFailure) -> VirtualInterface {
        if (try? route.link(named: ifname)) != nil { throw ControlFailure(EEXIST, "\(ifname): interface exists") }
        attach(key, to: parent)
        var vif = VirtualInterface(key: key, ifname: ifname, named: true, ifindex: parent.index, parentIndex: parent.index,
                                   mac: MACAddress(bytes: parent.mac)!, virtualMAC: virtualMAC)
        let onLink = ((try? route.addresses(ifindex: parent.index)) ?? []).map(\.prefix)
        vif.addresses = onLink.filter { prefix in wanted.contains { $0.address == prefix.address } }
        return vif
    }

    /// `carpd -C` after a kill -9: the VIPs the saved state puts on a carpdev (lladdr = its
    /// MAC) are removed from it, as the macvlans of the others are.
    static func deleteCarpdevVIPs(statePath: String, route: RouteSocket, files: FilePort) -> [String] {
        guard let text = files.read(statePath) else { return [] }
        var removed: [String] = []
        for (_, request) in savedRequests(text) {
            guard let message = try? request.get(), message.command == "set",
                  let change = try? message.virtualHostChange(), let mac = change.lladdr, let carpdev = change.carpdev,
                  let link = try? route.link(named: carpdev), link.mac == mac.bytes else { continue }
            let held = ((try? route.addresses(ifindex: link.index)) ?? []).map(\.prefix)
            for prefix in held where change.add.contains(where: { $0.address == prefix.address }) {
                do {
                    try route.deleteAddress(ifindex: link.index, prefix: prefix)
                    removed.append("\(prefix) from \(carpdev)")
                } catch {}
            }
        }
        return removed
    }
}
