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

struct SetRequestTests {
    func request(_ pairs: String...) throws(ControlFailure) -> SetRequest {
        try SetRequest(ControlMessage([("set", "1")] + pairs.map { p in
            let parts = p.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }))
    }

    @Test func parsesEveryKey() throws {
        let r = try request("carpdev=eth0", "vhid=7", "advbase=0", "advskew=254", "key=s3cret", "state=MASTER",
                            "peer=192.0.2.2", "peer6=mcast6", "addr=192.0.2.10/24", "deladdr=2001:db8::1", "up=0", "ifname=carp0")
        #expect(r.vhid == 7 && r.advbase == 0 && r.advskew == 254 && r.state == .master && r.up == false)
        #expect(r.peer == IPv4Address("192.0.2.2") && r.peer6 == .carpGroup && r.ifname == "carp0")
        #expect(r.add == [IPPrefix("192.0.2.10/24")!] && r.delete == [IPPrefix("2001:db8::1")!])
    }

    @Test(arguments: [
        ("vhid=0", "vhid 0: too small"), ("vhid=256", "vhid 256: too large"), ("vhid=x", "vhid x: invalid"),
        ("advskew=255", "advskew 255: too large"), ("advbase=256", "advbase 256: too large"), ("advbase=-1", "advbase -1: invalid"),
        ("state=up", "state up: must be init, backup or master"), ("peer=2001:db8::1", "peer 2001:db8::1: only IPv4 addresses are supported"),
        ("peer=239.1.1.1", "peer 239.1.1.1: not a unicast address"), ("addr=224.0.0.1/32", "224.0.0.1/32: not a unicast address"),
        ("addr=192.0.2.1/33", "192.0.2.1/33: bad address"), ("ifname=abcdefghijklmnop", "abcdefghijklmnop: invalid interface name"),
        ("up=yes", "up yes: must be 0 or 1"), ("bogus=1", "unknown key 'bogus'"),
    ])
    func refusesBadValues(_ pair: String, _ message: String) {
        do {
            _ = try request(pair)
            Issue.record("accepted \(pair)")
        } catch {
            #expect(error.message == message && error.errno == 22)
        }
    }
}
