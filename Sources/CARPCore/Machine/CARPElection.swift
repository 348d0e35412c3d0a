/// CARP's rules (doc/protocol.md §4): OpenBSD's carp_proto_input_c() with FreeBSD's demoted
/// advskew on our side of every comparison, FreeBSD's timers, and HMAC-SHA1 advertisements
/// with a counter that goes up by one per advertisement.
public struct CARPElection: ElectionRules {
    public private(set) var config: VirtualHostConfig
    /// The counter of the last advertisement sent, for loop detection.
    public private(set) var lastSentCounter: UInt64?
    private var counter: UInt64
    private var authenticator: CARPAuthenticator
    private var lastAuthentic: (counter: UInt64, digest: [UInt8])?

    public init(config: VirtualHostConfig, counterSeed: UInt64) {
        self.config = config
        counter = counterSeed
        authenticator = CARPAuthenticator(key: config.key, vhid: config.vhid, addresses: config.addresses.map(\.address),
                                          lladdr: config.authenticatedLLAddr)
    }

    /// A new configuration: the key and address set the digest covers may have changed.
    public mutating func configure(_ new: VirtualHostConfig) {
        config = new
        authenticator = CARPAuthenticator(key: new.key, vhid: new.vhid, addresses: new.addresses.map(\.address),
                                          lladdr: new.authenticatedLLAddr)
        lastAuthentic = nil
    }

    public func advertisementInterval(context: ElectionContext) -> UInt64 {
        Timing.advertisementInterval(advbase: config.advbase, advskew: context.effectiveSkew(config.advskew))
    }

    public var masterDownInterval: UInt64 { Timing.masterDown(advbase: config.advbase, advskew: config.advskew) }

    public func decide(in state: CARPState, heard header: CARPHeader, context: ElectionContext) -> ElectionDecision {
        let mine = Timing.Pair(advbase: config.advbase, advskew: context.effectiveSkew(config.advskew))
        let theirs = Timing.Pair(advbase: header.advbase, advskew: header.advskew)
        let myDemote = context.demoteCount, theirDemote = header.demote
        switch state {
        case .initial:
            return .ignore
        case .master:
            // Yield to an equally or more preferred master unless it is more demoted than
            // we are; always yield to a less demoted one.
            if (mine >= theirs && theirDemote <= myDemote) || theirDemote < myDemote {
                return .becomeBackup(.moreFrequentAdvertisement)
            }
            return .ignore
        case .backup:
            if context.preempt && mine < theirs && theirDemote >= myDemote { return .becomeMaster(.preemptingSlowerMaster) }
            // A more demoted master is taken over whether or not preempt is set.
            if theirDemote > myDemote { return .becomeMaster(.preemptingDemotedMaster) }
            // The master advertises so rarely that we would time out anyway. OpenBSD skips
            // this for advbase 0; a bow-out (255/255) still qualifies, so sub-second groups
            // also take over at once when a master leaves.
            let wouldTimeOut = config.advbase != 0 && Timing.Pair(advbase: 3 * Int(config.advbase), advskew: mine.advskew) < theirs
            if wouldTimeOut || theirs.isBowOut { return .becomeMaster(.masterWillTimeOut) }
            return .restartMasterDown
        }
    }

    /// advbase and advskew 255 in a bow-out, which every backup with advbase <= 85 treats
    /// as a master about to time out; the demote count either way.
    public mutating func advertisement(bowOut: Bool, context: ElectionContext) -> Advertisement {
        let advbase = bowOut ? 255 : config.advbase
        let advskew = bowOut ? 255 : context.effectiveSkew(config.advskew)
        var header = CARPHeader(vhid: config.vhid, advbase: advbase, advskew: advskew, demote: context.demoteCount, counter: counter)
        header.digest = authenticator.digest(counter: header.counterBytes)
        lastSentCounter = counter
        counter &+= 1
        return .carp(header)
    }

    /// The digest, then our own counter coming back (a loop).
    public mutating func admit(_ header: CARPHeader) -> InputRejection? {
        guard authenticate(header) else { return .badAuthentication }
        return header.counter == lastSentCounter ? .loopDetected : nil
    }

    /// True if the header's digest matches our key and address set (either OpenBSD form),
    /// remembering the last authentic counter and digest: the IPv4 and the IPv6
    /// advertisement of a vhid carry the same ones (the HMAC covers both address lists), so
    /// the second copy is not hashed again. `configure` forgets it.
    public mutating func authenticate(_ header: CARPHeader) -> Bool {
        if let last = lastAuthentic, last.counter == header.counter, last.digest == header.digest { return true }
        guard authenticator.verify(header) else { return false }
        lastAuthentic = (header.counter, header.digest)
        return true
    }
}
