/// What a virtual host asks the outside world to do, in order.
public enum CARPAction: Hashable, Sendable {
    /// Send these 36 bytes for this family (to the group or the unicast peer).
    case transmit([UInt8], AddressFamily)
    /// Bring the virtual interface up and make its addresses exactly the configured set.
    case claim
    /// Remove the addresses and bring the virtual interface down.
    case release
    /// Gratuitous ARP for every IPv4 address, unsolicited NA for every IPv6 address.
    case announce
    case stateChanged(from: CARPState, to: CARPState, reason: TransitionReason)
}
