import BSDSyntax
@testable import CARPDaemon

/// sysctl names and values: each line `name[=value]` goes through the name tables and then
/// to a node on fakes as `sysctl name=value` would send it; a refused write must leave the
/// value it had.
func fuzzSysctl(_ input: [UInt8]) {
    let t = TestNode(hook: false)
    t.addVhid(1)
    for line in records(input) {
        let operand = SysctlNames.Operand(text(line)), name = operand.name
        _ = SysctlNames.prefix(of: name)
        _ = SysctlNames.mappedPath(name)
        guard SysctlNames.isOurs(name) else { continue }
        let before = t.send("sysctl", [("name", name)])
        guard let value = operand.value else { continue }
        let reply = t.send("sysctl", [("name", name), ("value", value)])
        if reply.errno != 0, t.send("sysctl", [("name", name)]) != before {
            fatalError("refused \(name)=\(value.debugDescription) changed it")
        }
        t.advance(500_000_000, turns: 32)
    }
}
