import CARPTypes

extension IfconfigGrammar {
    static let carpRules: [WordRule] = [
        WordRule("vhid", .number, "virtual host ID, 1 to 255") { r, v throws(UsageError) in
            r.vhid = UInt8(try NumberParsing.parse("vhid", v!, 1...255))
        },
        WordRule("advbase", .number, "advertisement interval in seconds, 0 to 255") { r, v throws(UsageError) in
            r.advbase = UInt8(try NumberParsing.parse("advbase", v!, 0...255))
        },
        WordRule("advskew", .number, "skew added to advbase in 1/256 s, 0 to 254") { r, v throws(UsageError) in
            r.advskew = UInt8(try NumberParsing.parse("advskew", v!, 0...Int(GlobalSettings.maximumAdvskew)))
        },
        WordRule("pass", .text, "passphrase; at most 19 bytes are used") { r, v throws(UsageError) in
            r.pass = v!
        },
        WordRule("carpdev", .interface, "parent interface of a carp interface") { r, v throws(UsageError) in
            r.carpdev = v!
        },
        WordRule("state", .choice(["init", "backup", "master"]), "force the state") { r, v throws(UsageError) in
            guard let s = CARPState(name: v!) else { throw UsageError("state \(v!): must be init, backup or master") }
            r.state = s
        },
        WordRule("carppeer", .address, "send advertisements to this IPv4 peer (OpenBSD)") { r, v throws(UsageError) in
            r.peer = try peer(v!, word: "carppeer")
        },
        WordRule("-carppeer", .none, "advertise to 224.0.0.18 again") { r, _ throws(UsageError) in r.peer = .multicast },
        WordRule("peer", .address, "send advertisements to this IPv4 peer (FreeBSD)") { r, v throws(UsageError) in
            r.peer = try peer(v!, word: "peer")
        },
        WordRule("mcast", .none, "advertise to 224.0.0.18 again") { r, _ throws(UsageError) in r.peer = .multicast },
        WordRule("peer6", .address, "send IPv6 advertisements to this peer") { r, v throws(UsageError) in
            guard let a = IPv6Address(v!), !a.isMulticast else { throw UsageError("peer6 \(v!): bad IPv6 address") }
            r.peer6 = .unicast(.v6(a))
        },
        WordRule("mcast6", .none, "advertise to ff02::12 again") { r, _ throws(UsageError) in r.peer6 = .multicast },
        WordRule("carpver", .choice(["2"]), "protocol version: 2 is CARP (FreeBSD's 3, VRRPv3, is not supported)") { _, v throws(UsageError) in
            guard v == "2" else {
                throw v == "3" ? UsageError("carpver 3: VRRPv3 mode is not supported") : UsageError("carpver \(v!): must be 2 or 3")
            }
        },
    ]

    private static func peer(_ text: String, word: String) throws(UsageError) -> IfconfigRequest.Peer {
        guard let a = IPv4Address(text) else {
            if IPv6Address(text) != nil { throw UsageError("\(word): only IPv4 addresses are supported") }
            throw UsageError("\(word) \(text): bad address")
        }
        guard !a.isMulticast, !a.isUnspecified else { throw UsageError("\(word) \(text): not a unicast address") }
        return .unicast(.v4(a))
    }
}
