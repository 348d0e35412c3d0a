/// Whether pfsync0 is in sync (FreeBSD's `syncok`), judged from conntrackd's statistics.
/// FTFW has no end-of-bulk marker, and its peer says ALIVE every second in a bare 16-byte
/// header, so a bulk update counts as arrived once a packet has come from the peer since it
/// began and then the bytes beyond those headers and the external cache have stood still for
/// `settle`. After `giveUp` it counts as arrived anyway ("pretend the transfer was ok", as
/// both BSDs do, so that a node alone is not demoted for ever); on a busy pair, whose states
/// never stand still for 2 s, that is when it ends. It begins when conntrackd starts and
/// again at every link-up of the syncdev. Pure: the samples and the time come in.
struct SyncWatch: Equatable {
    static let pollInterval: UInt64 = 250_000_000
    static let settle: UInt64 = 2_000_000_000
    static let giveUp: UInt64 = 60_000_000_000

    /// The size of a message header: an ALIVE or an empty ACK is nothing more.
    static let headerBytes: UInt64 = 16

    struct Sample: Equatable {
        var bytesReceived: UInt64
        var packetsReceived: UInt64
        var externalActive: UInt64

        /// What states (not keepalives) have brought.
        var payloadBytes: UInt64 { bytesReceived &- SyncWatch.headerBytes &* packetsReceived }
    }

    enum Outcome: Equatable { case arrived, timedOut }

    private(set) var inSync = false
    private var began: UInt64?
    private var baseline: UInt64?
    private var last: Sample?
    private var stillSince: UInt64 = 0
    private var nextPoll: UInt64?

    /// A bulk update is due (conntrackd started, or the syncdev came up).
    mutating func begin(now: UInt64) {
        inSync = false
        began = now
        baseline = nil
        last = nil
        nextPoll = now + Self.pollInterval
    }

    /// pfsync0 went down: nothing to wait for.
    mutating func stop() {
        self = SyncWatch()
    }

    /// When the next statistics are wanted.
    var pollDeadline: UInt64? { inSync ? nil : nextPoll }

    /// One reading of conntrackd's statistics (nil: they could not be read). Says how the wait
    /// ended when it ends with this sample.
    mutating func sample(_ sample: Sample?, now: UInt64) -> Outcome? {
        guard !inSync, let began else { return nil }
        nextPoll = now + Self.pollInterval
        if let sample {
            if baseline == nil { baseline = sample.packetsReceived }
            if sample.payloadBytes != last?.payloadBytes || sample.externalActive != last?.externalActive {
                stillSince = now
            }
            last = sample
            if let baseline, sample.packetsReceived > baseline, now - stillSince >= Self.settle {
                inSync = true
                return .arrived
            }
        }
        if now - began >= Self.giveUp {
            inSync = true
            return .timedOut
        }
        return nil
    }
}
