import AdminTools
import Testing

/// netstart's own command line, refused before carpd is asked.
struct NetstartCommandTests {
    func run(_ arguments: [String]) -> (status: Int32, error: String) {
        let out = Output(capture: true)
        let status = NetstartCommand(out: out, carpd: CarpdClient(socketPath: "/nonexistent/carpd.sock")).run(arguments)
        return (status, out.error)
    }

    @Test func badWordsGetTheUsage() {
        #expect(run(["-x"]) == (1, "netstart: illegal option -- x\nusage: netstart [-n] [interface ...]\n"))
        #expect(run(["carp0", "bad/name"]) == (1, "netstart: bad/name: bad interface name\nusage: netstart [-n] [interface ...]\n"))
    }

    @Test func noDaemonIsSaidSo() {
        #expect(run(["-n", "carp0"]) == (1, "netstart: carpd is not running (no daemon on /nonexistent/carpd.sock)\n"))
    }
}
