import Testing
import CARPControl
import CARPCore
@testable import CARPDaemon

struct OptionsTests {
    @Test func defaultsAndEnvironment() throws {
        #expect(try Options.parse([], environment: [:]).socketPath == "/run/carpd/carpd.sock")
        #expect(try Options.parse([], environment: ["CARPD_SOCKET": "/tmp/x/c.sock"]).socketPath == "/tmp/x/c.sock")
        let o = try Options.parse(["-dn", "-s", "/tmp/y/s"], environment: ["CARPD_SOCKET": "/tmp/x/c.sock"])
        #expect(o.foreground && o.checkOnly && o.socketPath == "/tmp/y/s" && o.runtimeDirectory == "/tmp/y")
        #expect(try Options.parse(["-s/tmp/z.sock"], environment: [:]).runtimeDirectory == "/tmp")
    }

    @Test(arguments: [(["-x"], "unknown option -- x"), (["-s"], "option requires an argument -- s"),
                      (["foo"], "unexpected argument 'foo'"), (["-s", "rel.sock"], "rel.sock: socket path must be absolute")])
    func badOptions(_ args: [String], _ message: String) {
        #expect(throws: Options.UsageError(message: message)) { try Options.parse(args, environment: [:]) }
    }
}
