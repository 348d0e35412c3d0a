import Glibc
import LinuxHost
import Testing

/// The loop's timers: a deadline is never served early, a nearer one set while the loop
/// waits for a farther one is not missed, and a disarmed timer does not run.
struct ReactorTests {
    let ms = UInt64(1_000_000)

    @Test func aTimerRunsAtItsDeadlineNotBefore() throws {
        let reactor = try Reactor()
        var ranAt: UInt64?
        let timer = reactor.addTimer { ranAt = MonotonicClock.now() }
        let deadline = MonotonicClock.now() + 30 * ms
        timer.deadline = deadline
        while ranAt == nil { try reactor.runOnce(deadline: deadline + 5_000 * ms) }
        #expect(try #require(ranAt) >= deadline)
        #expect(timer.deadline == nil)
    }

    /// A precise timer wakes the loop early and waits the rest out: one round runs it, and
    /// never before its deadline.
    @Test func aPreciseTimerRunsInOneRoundNotBefore() throws {
        let reactor = try Reactor()
        var ranAt: UInt64?
        let timer = reactor.addTimer { ranAt = MonotonicClock.now() }
        let deadline = MonotonicClock.now() + 30 * ms
        timer.deadline = deadline
        timer.precise = true
        try reactor.runOnce(deadline: deadline + 5_000 * ms)
        #expect(try #require(ranAt) >= deadline)
    }

    /// Its early wake runs first, ahead of the deadline (the daemon rehearses a takeover there).
    @Test func aPreciseTimersEarlyWakeRunsBeforeIt() throws {
        let reactor = try Reactor()
        var order: [String] = []
        var earlyAt: UInt64?
        let timer = reactor.addTimer { order.append("deadline") }
        let deadline = MonotonicClock.now() + 30 * ms
        timer.deadline = deadline
        timer.precise = true
        timer.onEarlyWake = { order.append("early"); earlyAt = MonotonicClock.now() }
        try reactor.runOnce(deadline: deadline + 5_000 * ms)
        #expect(order == ["early", "deadline"])
        #expect(try #require(earlyAt) < deadline)
    }

    @Test func aNearerDeadlineSetByAHandlerWakesTheLoop() throws {
        let reactor = try Reactor()
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var ran = false
        let timer = reactor.addTimer { ran = true }
        let start = MonotonicClock.now()
        timer.deadline = start + 60_000 * ms
        try reactor.register(fd: fds[0]) {
            var byte: UInt8 = 0
            _ = read(fds[0], &byte, 1)
            timer.deadline = MonotonicClock.now() + 10 * ms
        }
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        // The first turn reads the pipe (and sets the nearer deadline), the next waits for it.
        for _ in 0..<3 where !ran { try reactor.runOnce(deadline: start + 20_000 * ms) }
        #expect(ran)
        #expect(MonotonicClock.now() < start + 20_000 * ms)
    }

    @Test func aDisarmedTimerDoesNotRun() throws {
        let reactor = try Reactor()
        var ran = false
        let timer = reactor.addTimer { ran = true }
        let start = MonotonicClock.now()
        timer.deadline = start + 20 * ms
        timer.deadline = nil
        try reactor.runOnce(deadline: start + 60 * ms)
        while MonotonicClock.now() < start + 60 * ms { try reactor.runOnce(deadline: start + 60 * ms) }
        #expect(!ran)
    }
}
