/// What one protocol on IP 112 decides inside the common INIT/BACKUP/MASTER machine
/// (`VirtualHostMachine`): its timers, its election and its advertisements. The machine
/// owns the states, the deadlines and the actions; CARP's rules are `CARPElection`, and
/// VRRPv3's (RFC 9568: priorities, the tie-break on the primary address, the learned
/// interval, priority 0 at shutdown) go beside them.
public protocol ElectionRules: Sendable {
    /// An advertisement as the wire layer decoded it.
    associatedtype Header: Sendable

    /// The virtual host's settings: vhid, addresses and peers for the machine, the rest for
    /// the rules themselves.
    var config: VirtualHostConfig { get }

    /// A new configuration (key, addresses or timing may have changed).
    mutating func configure(_ config: VirtualHostConfig)

    /// How long a MASTER waits between advertisements, with the node-wide demotion.
    func advertisementInterval(context: ElectionContext) -> UInt64

    /// How long a BACKUP waits without hearing the master before it takes over.
    var masterDownInterval: UInt64 { get }

    /// What a MASTER or BACKUP does about an authentic advertisement for its vhid (mutating:
    /// VRRP learns the master's interval from it).
    mutating func decide(in state: CARPState, heard header: Header, context: ElectionContext) -> ElectionDecision

    /// The advertisement to send now: the regular one, or a MASTER's last (`bowOut`).
    mutating func advertisement(bowOut: Bool, context: ElectionContext) -> Advertisement

    /// The protocol's own checks of a header for this vhid (authentication, loops), in
    /// order; nil when it may go to `decide`.
    mutating func admit(_ header: Header) -> InputRejection?
}

public enum ElectionDecision: Hashable, Sendable {
    case becomeMaster(TransitionReason)
    case becomeBackup(TransitionReason)
    /// The master is alive: a BACKUP restarts that family's master-down timer.
    case restartMasterDown
    /// Nothing changes (a MASTER hearing a less preferred one; INIT).
    case ignore
    /// A BACKUP's master-down timer runs out after this long instead (VRRP: a master that
    /// resigns with priority 0 is replaced after Skew_Time).
    case masterDownIn(UInt64)
    /// A MASTER advertises at once (VRRP: another master resigned).
    case advertiseNow
}
