import BSDSyntax
@testable import CARPDaemon

/// The configuration files: the first byte names the file (hostname.carp0, hostname.eth0,
/// hostname.pfsync0, rc.conf, sysctl.conf), the rest is its text. Parsed as `carpd -n`
/// does, then applied by a node on fakes as `netstart` does; a file with problems must
/// report them and apply nothing.
func fuzzBootFile(_ input: [UInt8]) {
    guard let selector = input.first else { return }
    let names = ["hostname.carp0", "hostname.eth0", "hostname.pfsync0", "rc.conf", "sysctl.conf"]
    let name = names[Int(selector) % names.count], path = "/etc/carp/" + name, contents = text(input.dropFirst())
    let parsed = BootConfig.parse(fileName: name, path: path, contents: contents)
    if !parsed.problems.isEmpty && !parsed.items.isEmpty { fatalError("\(name): items from a refused file") }
    let t = TestNode(hook: false)
    t.files.contents[path] = contents
    _ = t.send("netstart", [])
    if !parsed.problems.isEmpty && !t.node.engine.hosts.isEmpty { fatalError("\(name): a refused file configured vhids") }
    t.advance(4_000_000_000, turns: 64)
}
