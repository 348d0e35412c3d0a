extension VirtualHostMachine {
    /// An authenticated advertisement for this vhid arrived in `family`; the rules decide
    /// (doc/protocol.md §4 for CARP's).
    public mutating func receive(_ header: Rules.Header, family: AddressFamily, context: ElectionContext, now: UInt64) -> [CARPAction] {
        switch rules.decide(in: state, heard: header, context: context) {
        case .becomeMaster(let reason): return becomeMaster(reason: reason, context: context, now: now)
        case .becomeBackup(let reason): return becomeBackup(reason: reason, now: now, from: state)
        case .restartMasterDown:
            if state == .backup { armMasterDown(family: family, now: now) }
            return []
        case .ignore: return []
        }
    }

    /// How early a MASTER may advertise to go out together with other vhids: an eighth of
    /// its interval. Early is always safe (backups time out only on silence), and vhids with
    /// one interval stay together afterwards: 255 of them wake carpd (and their backups) a
    /// few times a second instead of 255 times, and leave in a few batches.
    public var advertisementSlack: UInt64 { advertisementInterval / 8 }

    /// True when `deadlineReached` at `now` would act: an advertisement due within its
    /// slack, or a master-down deadline passed (never early).
    public func isDue(now: UInt64) -> Bool {
        switch state {
        case .initial: return false
        case .master: return advertiseAt.map { $0 <= now || $0 - now <= advertisementSlack } ?? false
        case .backup: return masterDownAt.values.contains { $0 <= now }
        }
    }

    /// Timers: a MASTER's advertisement (within its slack), a BACKUP's master-down.
    public mutating func deadlineReached(context: ElectionContext, now: UInt64) -> [CARPAction] {
        guard isDue(now: now) else { return [] }
        switch state {
        case .initial:
            return []
        case .master:
            // The repeated announcement goes out before the advertisement, not after: a
            // preferred master that takes over on this very advertisement announces within
            // a millisecond, and our late gratuitous ARP after its own pulled the switch's
            // entry for the virtual MAC back to us for an interval (bench "return": 1 s).
            let announce = countDownDelayedAnnounce()
            return (announce ? [.announce(config.addresses)] : []) + advertise(context: context, now: now)
        case .backup:
            return becomeMaster(reason: .masterTimedOut, context: context, now: now)
        }
    }
}
