import BSDSyntax
import Netlink

/// The netlink half of an ifconfig plan, shared by `ifconfig` and carpd's boot files.
public enum LinkOperations {
    /// Performs one plain-link operation; carpd requests are the caller's.
    public static func perform(_ op: IfconfigOperation, on link: LinkInfo, route: RouteSocket) throws(NetlinkError) {
        switch op {
        case .carpd: break
        case .setLinkUp(let up): try route.setLink(index: link.index, up: up)
        case .setMTU(let mtu): try route.setMTU(index: link.index, mtu: UInt32(mtu))
        case .addAddress(let p): try route.addAddress(ifindex: link.index, bytes: p.address.bytes, prefixLength: p.length, flags: 0)
        case .deleteAddress(let p): try route.deleteAddress(ifindex: link.index, bytes: p.address.bytes, prefixLength: p.length)
        }
    }
}
