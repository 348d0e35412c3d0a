/// CARP's timer arithmetic. advskew is in 1/256 s; both BSDs compute skew*1e6/256 µs,
/// which is exact in nanoseconds (skew * 3_906_250).
public enum Timing {
    public static let second: UInt64 = 1_000_000_000
    public static let skewUnit: UInt64 = second / 256

    /// advbase + advskew/256 s, at least 1/256 s (OpenBSD's floor when both are 0).
    public static func advertisementInterval(advbase: UInt8, advskew: UInt8) -> UInt64 {
        max(UInt64(advbase) * second + UInt64(advskew) * skewUnit, skewUnit)
    }

    /// FreeBSD's 3*advbase + advskew/256 s for advbase >= 1 (what ucarp and keepalived users
    /// expect: 3.39 s at advbase 1, advskew 100). With advbase 0 that would let the skew
    /// alone time a master out, so sub-second groups use OpenBSD's 3*(advskew/256) s,
    /// at least 3/256 s.
    public static func masterDown(advbase: UInt8, advskew: UInt8) -> UInt64 {
        if advbase == 0 { return max(3 * UInt64(advskew) * skewUnit, 3 * skewUnit) }
        return 3 * UInt64(advbase) * second + UInt64(advskew) * skewUnit
    }

    /// (advbase, advskew) ordered lexicographically: lower advertises more often and is
    /// preferred. Equal to comparing advbase + advskew/256 because advskew < 256.
    public struct Pair: Comparable, Sendable {
        public var advbase: Int
        public var advskew: Int

        public init(advbase: Int, advskew: Int) {
            self.advbase = advbase
            self.advskew = advskew
        }

        public init(advbase: UInt8, advskew: UInt8) { self.init(advbase: Int(advbase), advskew: Int(advskew)) }

        public var isBowOut: Bool { advbase == 255 && advskew == 255 }

        public static func < (lhs: Pair, rhs: Pair) -> Bool {
            (lhs.advbase, lhs.advskew) < (rhs.advbase, rhs.advskew)
        }
    }
}
