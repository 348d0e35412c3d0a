extension VirtualHostMachine {
    /// An authenticated advertisement for this vhid arrived in `family`.
    /// The rules are OpenBSD's carp_proto_input_c() with FreeBSD's demoted advskew on our
    /// side of every comparison (carp-protocol.md §4.3-4.4, combined as §5.3 recommends).
    public mutating func receive(_ header: CARPHeader, family: AddressFamily, context: ElectionContext, now: UInt64) -> [CARPAction] {
        let mine = Timing.Pair(advbase: config.advbase, advskew: context.effectiveSkew(config.advskew))
        let theirs = Timing.Pair(advbase: header.advbase, advskew: header.advskew)
        let myDemote = context.demoteCount, theirDemote = header.demote
        switch state {
        case .initial:
            return []
        case .master:
            // Yield to an equally or more preferred master unless it is more demoted than
            // we are; always yield to a less demoted one.
            if (mine >= theirs && theirDemote <= myDemote) || theirDemote < myDemote {
                return becomeBackup(reason: .moreFrequentAdvertisement, now: now, from: .master)
            }
            return []
        case .backup:
            if context.preempt && mine < theirs && theirDemote >= myDemote {
                return becomeMaster(reason: .preemptingSlowerMaster, context: context, now: now)
            }
            // A more demoted master is taken over whether or not preempt is set.
            if theirDemote > myDemote {
                return becomeMaster(reason: .preemptingDemotedMaster, context: context, now: now)
            }
            // The master advertises so rarely that we would time out anyway. OpenBSD skips
            // this for advbase 0; a bow-out (255/255) still qualifies, so sub-second groups
            // also take over at once when a master leaves.
            let wouldTimeOut = config.advbase != 0 && Timing.Pair(advbase: 3 * Int(config.advbase), advskew: mine.advskew) < theirs
            if wouldTimeOut || theirs.isBowOut {
                return becomeMaster(reason: .masterWillTimeOut, context: context, now: now)
            }
            armMasterDown(family: family, now: now)
            return []
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
