import BSDSyntax
import CARPTypes

/// ifconfig's grammar and planner: each line is a command line (interface, then words,
/// split at blanks as a shell would), parsed, then planned against the interface states
/// a command meets: no such link, a plain link with vhids and addresses, a carp interface.
func fuzzIfconfig(_ input: [UInt8]) {
    let contexts = [
        IfconfigContext(linkExists: false),
        IfconfigContext(linkExists: true, parentVhids: [1: [IPPrefix("192.0.2.10/24")!]],
                        linkAddresses: [IPPrefix("192.0.2.1/24")!, IPPrefix("2001:db8::1/64")!]),
        IfconfigContext(linkExists: false, isCarpInterface: true, carpAddresses: [IPPrefix("2001:db8::10/64")!]),
    ]
    for line in records(input) {
        let words = text(line).split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let ifname = words.first, let request = try? IfconfigParser.parse(Array(words.dropFirst())) else { continue }
        for context in contexts { _ = try? IfconfigPlanner.plan(request, ifname: ifname, context: context) }
    }
}
