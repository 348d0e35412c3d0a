/// One change `ifconfig` makes to a plain link (one that is not a carp interface), the same
/// whether it comes from the command line or from a boot file.
public enum LinkChange: Hashable, Sendable {
    case setUp(Bool)
    case setMTU(UInt32)
    case setMAC(MACAddress)
    case addAddress(IPPrefix)
    case deleteAddress(IPPrefix)
}
