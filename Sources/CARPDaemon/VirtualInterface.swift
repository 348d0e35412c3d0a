import CARPCore
import CARPTypes

/// The Linux side of one vhid: its macvlan (the carp interface) on the carpdev.
struct VirtualInterface {
    let key: VirtualHostKey
    /// The macvlan's name: OpenBSD's carpN when given, else vh<vhid>-<carpdev>.
    let ifname: String
    /// True for an OpenBSD-style carpN; a FreeBSD-style vhid disappears with its last address.
    let named: Bool
    var ifindex: Int32
    var parentIndex: Int32
    /// The macvlan's MAC: the virtual one (VirtualHostConfig.virtualMAC), or OpenBSD's
    /// `lladdr` set by hand.
    let mac: MACAddress
    /// The virtual MAC it would have without `lladdr`.
    let virtualMAC: MACAddress
    /// What carpd has made of the link: its administrative state and the addresses it put
    /// on it, kept from the kernel's answers so that a claim need not ask the kernel again.
    var isUp = false
    var addresses: [IPPrefix] = []
    /// The parent's link-local address copied onto the macvlan while MASTER, when the parent
    /// has no global IPv6 address to source IPv6 advertisements from.
    var linkLocalCopy: IPPrefix?
    /// IPv6 switched off on the macvlan (`disable_ipv6`): while its vhid has no IPv6 address,
    /// and after the exit's release.
    var ipv6Off = false

    /// OpenBSD's `lladdr` set to the carpdev's own MAC: Linux refuses such a macvlan, so the
    /// VIPs go on the carpdev itself while MASTER, and there is no link of its own.
    var onCarpdev: Bool { ifindex == parentIndex }

    /// The `lladdr` set by hand, nil for the virtual MAC.
    var customMAC: MACAddress? { mac == virtualMAC ? nil : mac }

    /// vh<vhid>-<carpdev> when it fits IFNAMSIZ, else vh<vhid>-i<ifindex>.
    static func defaultName(vhid: UInt8, carpdev: String, parentIndex: Int32) -> String {
        let name = "vh\(vhid)-\(carpdev)"
        return name.utf8.count <= 15 ? name : "vh\(vhid)-i\(parentIndex)"
    }
}

/// What carpd needs to know about a carpdev.
struct ParentState {
    var index: Int32
    var up = false
    var mac: [UInt8] = []
    /// First IPv4 address: the advertisements' source, as OpenBSD picks it.
    var source4: [UInt8]?
    /// First global IPv6 address; advertisements out a macvlan cannot use the parent's link-local.
    var source6: [UInt8]?
    var linkLocal6: [UInt8]?
    /// Every address of the carpdev, to tell whether it already routes a VIP's subnet.
    var prefixes: [IPPrefix] = []

    /// The carpdev has the subnet route for this VIP: the VIP then needs none of its own.
    func routes(_ vip: IPPrefix) -> Bool {
        prefixes.contains { $0.family == vip.family && $0.length <= vip.length && $0.contains(vip.address) }
    }
}
