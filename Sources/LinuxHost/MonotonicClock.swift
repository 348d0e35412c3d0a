import CCarpShim
import Glibc

/// The clock all daemon deadlines are measured against.
///
/// CLOCK_MONOTONIC never jumps when the wall clock is set (NTP, `date -s`), so timers based on it
/// neither fire early nor stall; it does not advance while the system is suspended.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot), from CLOCK_MONOTONIC.
    public static func now() -> UInt64 {
        var spec = timespec()
        // Cannot fail for CLOCK_MONOTONIC with a valid pointer.
        _ = clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
