import BSDSyntax
import CARPCore
import CARPTypes
import LinuxHost
import Testing
@testable import CARPDaemon

/// `carpd -m`: where it listens, the HTTP it speaks, and what /metrics says about a node.
struct MetricsListenTests {
    @Test(arguments: [("9100", "127.0.0.1:9100"), ("localhost:9100", "127.0.0.1:9100"), ("192.0.2.1:80", "192.0.2.1:80"),
                      ("0.0.0.0:9100", "0.0.0.0:9100"), ("[2001:db8::1]:9100", "[2001:db8::1]:9100"), ("[::]:65535", "[::]:65535")])
    func accepted(_ text: String, _ shown: String) throws {
        #expect(try MetricsListen.parse(text).get().description == shown)
    }

    @Test(arguments: [("0", "0: port must be a number from 1 to 65535"), ("65536", "65536: port must be a number from 1 to 65535"),
                      ("x:9100", "x:9100: x: not an IPv4 or IPv6 address"), ("", ": port must be a number from 1 to 65535"),
                      ("2001:db8::1:9100", "2001:db8::1:9100: an IPv6 address goes in brackets: [address]:port"),
                      ("[::1]9100", "[::1]9100: expected [address]:port"), ("192.0.2.1:", "192.0.2.1:: port must be a number from 1 to 65535"),
                      ("+80", "+80: port must be a number from 1 to 65535")])
    func refused(_ text: String, _ message: String) {
        #expect(throws: MetricsListenError.self) { try MetricsListen.parse(text).get() }
        if case .failure(let error) = MetricsListen.parse(text) { #expect(error.description == message) }
    }

    @Test func commandLineAndRcConf() throws {
        #expect(try Options.parse(["-d", "-m", "9100"], environment: [:]).metrics == MetricsListen(port: 9100))
        #expect(try Options.parse(["-m[::1]:9100"], environment: [:]).metrics?.description == "[::1]:9100")
        #expect(throws: Options.UsageError(message: "-m 99999: port must be a number from 1 to 65535")) {
            try Options.parse(["-m", "99999"], environment: [:])
        }
        let conf = "ifconfig_eth0=\"up\"\ncarpd_metrics=\"192.0.2.1:9100\"  # scraped from the management LAN\n"
        #expect(try BootConfig.rcConfMetrics("/etc/carp/rc.conf", conf).get() == MetricsListen(address: IPAddress("192.0.2.1")!, port: 9100))
        #expect(try BootConfig.rcConfMetrics("/etc/carp/rc.conf", "carpd_metrics=\"\"\n").get() == nil)
        let bad = BootConfig.rcConfMetrics("/etc/carp/rc.conf", "\ncarpd_metrics=nine\n")
        if case .failure(let problem) = bad {
            #expect(problem.description == "/etc/carp/rc.conf:2: carpd_metrics: nine: port must be a number from 1 to 65535")
        } else {
            Issue.record("carpd_metrics=nine accepted")
        }
    }

    @Test func carpdCheckReportsABadSetting() {
        let files = FakeFiles(journal: Journal())
        files.contents["/etc/carp/rc.conf"] = "carpd_metrics=\"[::1]\"\n"
        let problems = Node.check("/etc/carp", files: files).map(\.description)
        #expect(problems == ["/etc/carp/rc.conf:1: carpd_metrics: [::1]: expected [address]:port"])
    }
}

struct HTTPExchangeTests {
    func answer(_ request: String) -> (status: Int, text: String)? {
        guard case .answer(let bytes, let status) = HTTPExchange.step(Array(request.utf8), path: "/metrics", body: { "carp_allow 1\n" }) else {
            return nil
        }
        return (status, String(decoding: bytes, as: UTF8.self))
    }

    @Test func getAndHead() throws {
        let get = try #require(answer("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"))
        #expect(get.status == 200)
        #expect(get.text == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 13\r\n"
            + "Connection: close\r\n\r\ncarp_allow 1\n")
        let head = try #require(answer("HEAD /metrics?name[]=x HTTP/1.0\n\n"))
        #expect(head.status == 200 && head.text.hasSuffix("Content-Length: 13\r\nConnection: close\r\n\r\n"))
    }

    @Test func waitsForTheWholeHead() {
        #expect(HTTPExchange.step(Array("GET /metrics HT".utf8), path: "/metrics", body: { "" }) == .needMore)
        #expect(HTTPExchange.step(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8), path: "/metrics", body: { "" }) == .needMore)
    }

    @Test(arguments: [("GET / HTTP/1.1\r\n\r\n", 404), ("GET /metricsx HTTP/1.1\r\n\r\n", 404), ("POST /metrics HTTP/1.1\r\n", 405),
                      ("GET /metrics HTTP/2.0\r\n", 505), ("\u{16}\u{3}\u{1} tls hello\n", 400), ("GET  /metrics HTTP/1.1\n", 400),
                      ("get /metrics HTTP/1.1\n", 400), ("GET metrics HTTP/1.1\n", 400), ("GET /metrics\n", 400)])
    func refusals(_ request: String, _ status: Int) throws {
        let reply = try #require(answer(request))
        #expect(reply.status == status)
        #expect(reply.text.hasPrefix("HTTP/1.1 \(status) ") && reply.text.contains("Connection: close\r\n\r\n"))
    }

    @Test func aHeadThatNeverEndsIsRefused() throws {
        let noLine = try #require(answer(String(repeating: "a", count: HTTPExchange.headLimit)))
        #expect(noLine.status == 431)
        let endless = try #require(answer("GET /metrics HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 1100)))
        #expect(endless.status == 431)
    }
}

struct NodeMetricsTests {
    func metrics(_ t: TestNode) -> [String] {
        var out = PrometheusText()
        t.node.writeMetrics(into: &out, startTime: 1_700_000_000)
        return out.text.split(separator: "\n").map(String.init)
    }

    @Test func aMasterItsCountersAndTheSysctls() {
        let t = TestNode(hook: false)
        t.addVhid(1, advskew: 100)
        t.masterDown()
        let v = "ifname=\"vh1-eth0\",carpdev=\"eth0\",vhid=\"1\""
        var lines = metrics(t)
        #expect(lines.contains("carp_vhid_state{\(v),state=\"MASTER\"} 1"))
        #expect(lines.contains("carp_vhid_state{\(v),state=\"BACKUP\"} 0"))
        #expect(lines.contains("carp_vhid_advskew{\(v)} 100"))
        #expect(lines.contains("carp_vhid_transitions_total{\(v),to=\"BACKUP\",reason=\"initialization complete\"} 1"))
        #expect(lines.contains("carp_vhid_transitions_total{\(v),to=\"MASTER\",reason=\"master timed out\"} 1"))
        let sent = t.node.engine.hosts.values.first?.sent ?? 0
        #expect(sent > 0 && lines.contains("carp_vhid_advertisements_sent_total{\(v)} \(sent)"))
        #expect(lines.contains("carp_opackets_total \(t.node.engine.statistics[.opackets])"))
        #expect(lines.contains("carp_allow 1") && lines.contains("carp_pfsync_demotion_factor 240"))
        #expect(lines.contains("# TYPE carp_vhid_advertisements_received_total counter"))

        t.node.receive(t.peerAdvert(advskew: 0))
        t.node.carryOut()
        t.request("sysctl", [("name", "net.inet.carp.maintenance"), ("value", "1")])
        lines = metrics(t)
        #expect(lines.contains("carp_vhid_advertisements_received_total{\(v)} 1"))
        #expect(lines.contains("carp_maintenance 1") && lines.contains("carp_demotion 240"))
        #expect(lines.contains("carp_group_demote{group=\"carp\"} 128"))
        #expect(lines.contains("carp_vhid_demote{\(v)} 128"))
    }

    @Test func everyFamilyOnceEverySampleTyped() {
        let t = TestNode(hook: false)
        t.addVhid(1)
        t.addVhid(2, addresses: ["192.0.2.20/24"])
        let lines = metrics(t)
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(typed).count == typed.count)
        for sample in lines where !sample.hasPrefix("#") {
            let name = sample.prefix { $0 != "{" && $0 != " " }
            #expect(typed.contains(name[...]), "\(sample) has no TYPE")
        }
        #expect(lines.filter { $0.hasPrefix("carp_vhid_state{") }.count == 6)
    }

    @Test func labelValuesAreEscaped() {
        var out = PrometheusText()
        out.single("carp_x", .gauge, "a\\b\nc", [("reason", "say \"hi\"\\\n")], 1)
        #expect(out.text == "# HELP carp_x a\\\\b\\nc\n# TYPE carp_x gauge\ncarp_x{reason=\"say \\\"hi\\\"\\\\\\n\"} 1\n")
    }
}
