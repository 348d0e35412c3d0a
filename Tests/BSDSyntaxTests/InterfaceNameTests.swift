import BSDSyntax
import CARPTypes
import Testing

/// One rule for interface names everywhere: the kernel's (dev_valid_name).
struct InterfaceNameTests {
    @Test func kernelRule() {
        for good in ["eth0", "carp0", "vh255-enp3s0f1", "a", "br-lan", "em0.100", String(repeating: "x", count: 15)] {
            #expect(InterfaceName.isValid(good), "\(good)")
        }
        for bad in ["", ".", "..", "eth0:1", "a/b", "a b", "tab\there", String(repeating: "x", count: 16), "é" + String(repeating: "x", count: 14)] {
            #expect(!InterfaceName.isValid(bad), "\(bad)")
        }
    }

    @Test func bootFileNamesFollowTheSameRule() {
        let parsed = BootConfig.parse(fileName: "hostname.eth0:1", path: "/etc/carp/hostname.eth0:1", contents: "up\n")
        #expect(parsed.items.isEmpty)
        #expect(parsed.problems.map(\.message) == ["eth0:1: bad interface name"])
    }

    @Test func carpdMacvlansAreKnownByKindAndAlias() {
        #expect(CarpdConventions.isCarpdMacvlan(kind: "macvlan", alias: CarpdConventions.macvlanAlias(vhid: 7)))
        #expect(!CarpdConventions.isCarpdMacvlan(kind: "macvlan", alias: "someone else's"))
        #expect(!CarpdConventions.isCarpdMacvlan(kind: "veth", alias: "carpd vhid 7"))
        #expect(!CarpdConventions.isCarpdMacvlan(kind: "macvlan", alias: nil))
    }
}
