extension CARPEngine {
    /// OpenBSD's pfsync demotes its groups by 32 until the bulk update is in.
    static let pfsyncGroupDemotion = 32

    /// pfsync0 is or is no longer out of sync (conntrackd not running, the syncdev down, the
    /// peer's states not in yet). Demoted meanwhile the way both BSDs do it: FreeBSD's
    /// net.pfsync.carp_demotion_factor on net.inet.carp.demotion (advskew), OpenBSD's 32 on the
    /// group carp (the demote byte), so that a peer of either kind keeps or takes the master
    /// role; a node alone still becomes MASTER. `reason` is the BSD wording for the log.
    public mutating func setPfsyncDemoted(_ demoted: Bool, reason: String, now: UInt64) -> [EngineOutput] {
        guard demoted != (pfsyncDemotion != 0) else { return [] }
        let amount = demoted ? settings.pfsyncDemotionFactor : -pfsyncDemotion
        pfsyncDemotion = demoted ? amount : 0
        return adjustDemotion(by: amount, reason: reason, now: now)
            + adjustGroup(InterfaceGroup.carp, naming: "pfsync0", by: demoted ? Self.pfsyncGroupDemotion : -Self.pfsyncGroupDemotion,
                          reason: reason, now: now)
    }

    /// A new MASTER whose claim is still to come: the state of the peer's connections must be
    /// in the kernel before its addresses (pfsync's commit).
    public func isAwaitingClaim(_ key: VirtualHostKey) -> Bool { awaitingReady[key] != nil }
}
