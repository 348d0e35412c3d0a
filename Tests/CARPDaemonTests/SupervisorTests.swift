import Glibc
import LinuxHost
import Logging
import Testing
@testable import CARPDaemon

/// The supervisor conntrackd will run under (pfsync): restart with back-off, stop with grace.
struct SupervisorTests {
    let journal = Journal()
    let logs = LogBox()
    let s = UInt64(1_000_000_000)

    func supervisor(_ processes: FakeProcesses) -> Supervisor {
        let box = logs
        return Supervisor(name: "conntrackd", path: "/usr/sbin/conntrackd", arguments: ["-C", "/run/x/conntrackd.conf"],
                          processes: processes, log: Logger(label: "t", factory: { _ in CapturingLogHandler(box: box) }))
    }

    @Test func restartsWithADoublingBackOffThatResetsAfterALongRun() {
        let p = FakeProcesses(journal: journal)
        let sup = supervisor(p)
        sup.start(now: 0)
        #expect(sup.state == .running(pid: 101, since: 0))
        #expect(sup.exited(101, .exited(1), now: 2 * s))
        #expect(sup.state == .restarting(at: 3 * s) && sup.deadline == 3 * s)
        sup.deadlineReached(now: 3 * s - 1)
        #expect(journal.lines.filter { $0.hasPrefix("spawn") }.count == 1)
        sup.deadlineReached(now: 3 * s)
        #expect(sup.state == .running(pid: 102, since: 3 * s) && sup.restarts == 1)
        sup.exited(102, .signaled(SIGSEGV), now: 4 * s)
        #expect(sup.state == .restarting(at: 6 * s))  // 2 s now
        #expect(logs.lines.contains("error: conntrackd: killed by signal \(SIGSEGV); restarting in 2 s"))
        sup.deadlineReached(now: 6 * s)
        sup.exited(103, .exited(1), now: 7 * s)
        #expect(sup.state == .restarting(at: 11 * s))  // 4 s
        sup.deadlineReached(now: 11 * s)
        // A run of a minute or more: the next restart waits the first delay again.
        sup.exited(104, .exited(0), now: 71 * s)
        #expect(sup.state == .restarting(at: 72 * s))
    }

    @Test func theBackOffStopsGrowingAtAMinute() {
        let p = FakeProcesses(journal: journal)
        let sup = supervisor(p)
        sup.start(now: 0)
        var now: UInt64 = 0
        for _ in 0..<10 {
            guard case .running(let pid, _) = sup.state else { Issue.record("not running"); return }
            sup.exited(pid, .exited(1), now: now)
            guard case .restarting(let at) = sup.state else { Issue.record("not restarting"); return }
            #expect(at - now <= Supervisor.longestDelay)
            now = at
            sup.deadlineReached(now: now)
        }
        sup.exited(p.running.keys.max()!, .exited(1), now: now)
        #expect(sup.state == .restarting(at: now + Supervisor.longestDelay))
    }

    @Test func stopSendsTermThenKillAndForgetsTheChild() {
        let p = FakeProcesses(journal: journal)
        let sup = supervisor(p)
        sup.start(now: 0)
        sup.stop(now: s)
        #expect(journal.lines.last == "kill 101 \(SIGTERM)")
        sup.deadlineReached(now: s + Supervisor.stopGrace)
        #expect(journal.lines.last == "kill 101 \(SIGKILL)")
        #expect(sup.deadline == nil)
        #expect(sup.exited(101, .signaled(SIGKILL), now: 7 * s))
        #expect(sup.state == .stopped)
    }

    @Test func aChildThatIsNotItsOwnIsLeftAlone() {
        let p = FakeProcesses(journal: journal)
        let sup = supervisor(p)
        sup.start(now: 0)
        #expect(!sup.exited(555, .exited(0), now: s))
        #expect(sup.state == .running(pid: 101, since: 0))
    }

    @Test func aProgramThatCannotStartIsRetried() {
        let p = FakeProcesses(journal: journal)
        p.failSpawn = true
        let sup = supervisor(p)
        sup.start(now: 0)
        #expect(sup.state == .restarting(at: s))
        #expect(logs.lines.contains { $0.contains("conntrackd: /usr/sbin/conntrackd: No such file or directory") })
        p.failSpawn = false
        sup.deadlineReached(now: s)
        #expect(sup.state == .running(pid: 101, since: s))
    }
}
