import CARPControl
import Glibc
import Testing
@testable import CARPDaemon

/// Inputs fuzz/run found crashing carpd's harnesses, kept as they were found
/// (doc/fuzzing.md): each must now get an answer a client can read.
struct FuzzFindingsTests {
    /// control: ":\0\1", a line without '=' carrying a NUL. The refusal quoted it raw,
    /// and a reply with a NUL does not decode.
    @Test func aRefusalQuotingANULStillDecodes() throws {
        let t = TestNode(hook: false)
        let reply = try ControlMessage.decode(t.node.serveControl(":\u{0}\u{1}", uid: 0).text)
        #expect(reply.errno == EINVAL)
        #expect(reply.message == "line 1: expected key=value, got ':\\000\u{1}'")
    }

    /// bootfile: hostname.eth0 holding "z\0\0". netstart's reply names the file's line,
    /// NULs included.
    @Test func netstartQuotingANULStillDecodes() {
        let t = TestNode(hook: false)
        t.files.contents["/etc/carp/hostname.eth0"] = "z\u{0}\u{0}"
        let reply = t.send("netstart", [])
        #expect(reply.values("problem").first?.hasPrefix("/etc/carp/hostname.eth0:1: ") == true)
        #expect(reply.values("problem").first?.contains("z\\000\\000") == true)
    }
}
