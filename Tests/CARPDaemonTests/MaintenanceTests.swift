import Testing
@testable import CARPDaemon

/// Persistent maintenance mode: demoted both ways until lifted, and still so after a
/// restart or a reboot (the file in the configuration directory).
struct MaintenanceTests {
    @Test func onDemotesAndIsRememberedOffLifts() {
        let t = TestNode(hook: false)
        t.request("sysctl", [("name", "net.inet.carp.maintenance"), ("value", "1")])
        #expect(t.node.engine.settings.demotion == 240 && t.node.engine.groupDemote["carp"] == 128)
        #expect(t.files.contents["/etc/carp/maintenance"] != nil)
        #expect(t.logs.lines.contains("info: carp: demoted by 240 to 240 (maintenance mode)"))
        t.request("sysctl", [("name", "net.inet.carp.maintenance"), ("value", "0")])
        #expect(t.node.engine.settings.demotion == 0 && t.node.engine.groupDemote["carp"] == 0)
        #expect(t.files.contents["/etc/carp/maintenance"] == nil)
    }

    @Test func aStartFindsTheFile() {
        let t = TestNode(hook: false, contents: ["/etc/carp/maintenance": "# on\n"])
        #expect(t.node.engine.settings.maintenance == 1 && t.node.engine.settings.demotion == 240)
        #expect(t.request("sysctl", [("name", "net.inet.carp.maintenance")])["value"] == "1")
    }
}
