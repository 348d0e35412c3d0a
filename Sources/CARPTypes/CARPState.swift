/// The three states of a virtual host, numbered as in both BSDs.
public enum CARPState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case initial = 0, backup = 1, master = 2

    public var description: String {
        switch self {
        case .initial: "INIT"
        case .backup: "BACKUP"
        case .master: "MASTER"
        }
    }

    /// Case-insensitive, as `ifconfig ... state master` accepts it.
    public init?(name: String) {
        switch name.lowercased() {
        case "init": self = .initial
        case "backup": self = .backup
        case "master": self = .master
        default: return nil
        }
    }
}

/// Why a state changed; the texts are FreeBSD's log reasons.
public enum TransitionReason: String, Sendable {
    case initializationComplete = "initialization complete"
    case interfaceDown = "hardware interface down"
    case interfaceUp = "hardware interface up"
    case moreFrequentAdvertisement = "more frequent advertisement received"
    /// VRRPv3 (RFC 5798 §6.4.3): a master hears a higher priority, or an equal one from a
    /// higher primary address.
    case higherPriority = "higher priority advertisement received"
    case higherAddress = "equal priority advertisement from a higher address received"
    case preemptingSlowerMaster = "preempting a slower master"
    case preemptingDemotedMaster = "preempting a demoted master"
    case masterWillTimeOut = "master will time out"
    case masterTimedOut = "master timed out"
    case userRequest = "user requested via ifconfig"
    case administrativelyDown = "administratively down"
    case carpDisabled = "net.inet.carp.allow is 0"
    case noAddresses = "no addresses"
}
