import CARPTypes

extension IfconfigGrammar {
    static let carpRules: [WordRule] = [
        WordRule("vhid", .number, "virtual host ID, 1 to 255") { r, v throws(UsageError) in
            r.carp.vhid = UInt8(try number("vhid", v!, 1...255))
        },
        WordRule("advbase", .number, "advertisement interval in seconds, 0 to 255") { r, v throws(UsageError) in
            r.carp.advbase = UInt8(try number("advbase", v!, 0...255))
        },
        WordRule("advskew", .number, "skew added to advbase in 1/256 s, 0 to 254") { r, v throws(UsageError) in
            r.carp.advskew = UInt8(try number("advskew", v!, 0...Int(GlobalSettings.maximumAdvskew)))
        },
        WordRule("pass", .text, "passphrase; at most 19 bytes are used") { r, v throws(UsageError) in
            r.carp.key = CARPKey(passphrase: v!)
            if v!.utf8.count > CARPKey.maximumPassphraseBytes {
                r.warnings.append("pass: only the first \(CARPKey.maximumPassphraseBytes) bytes are used, as on the BSDs")
            }
        },
        WordRule("carpdev", .interface, "parent interface of a carp interface") { r, v throws(UsageError) in
            guard InterfaceName.isValid(v!) else { throw UsageError("carpdev \(v!): bad interface name") }
            r.carp.carpdev = v!
        },
        WordRule("state", .choice(["init", "backup", "master"]), "force the state") { r, v throws(UsageError) in
            guard let s = CARPState(name: v!) else { throw UsageError("state \(v!): must be init, backup or master") }
            r.carp.state = s
        },
        WordRule("carppeer", .address, "send advertisements to this IPv4 peer (OpenBSD)") { r, v throws(UsageError) in
            r.carp.peer = try peer(v!, word: "carppeer")
        },
        WordRule("-carppeer", .none, "advertise to 224.0.0.18 again") { r, _ throws(UsageError) in r.carp.peer = .carpGroup },
        WordRule("peer", .address, "send advertisements to this IPv4 peer (FreeBSD)") { r, v throws(UsageError) in
            r.carp.peer = try peer(v!, word: "peer")
        },
        WordRule("mcast", .none, "advertise to 224.0.0.18 again") { r, _ throws(UsageError) in r.carp.peer = .carpGroup },
        WordRule("peer6", .address, "send IPv6 advertisements to this peer") { r, v throws(UsageError) in
            guard let a = IPv6Address(v!), IPAddress.v6(a).isUnicast else { throw UsageError("peer6 \(v!): bad IPv6 address") }
            r.carp.peer6 = a
        },
        WordRule("mcast6", .none, "advertise to ff02::12 again") { r, _ throws(UsageError) in r.carp.peer6 = .carpGroup },
        WordRule("carpnodes", .text, "OpenBSD load balancing: vhid:advskew,... (at most 32 carpnodes)") { r, v throws(UsageError) in
            do throws(ValueError) { r.carp.carpnodes = try CarpNode.parseList(v!) } catch { throw UsageError(error.message) }
        },
        WordRule("balancing", .choice(BalancingMode.allCases.map(\.rawValue)), "how carpnodes share the traffic") { r, v throws(UsageError) in
            guard let mode = BalancingMode(rawValue: v!.lowercased()) else { throw UsageError("balancing \(v!): unknown mode") }
            r.carp.balancing = mode
        },
        WordRule("carpver", .choice(["2", "3"]), "protocol of a new vhid: 2 is CARP, 3 is VRRPv3 (FreeBSD 15)") { r, v throws(UsageError) in
            guard v == "2" || v == "3" else { throw UsageError("carpver \(v!): version must be 2 or 3") }
            r.carp.version = UInt8(v!)
        },
        WordRule("vrrpprio", .number, "VRRPv3 priority, 1 to 255 (255: the address owner)") { r, v throws(UsageError) in
            r.carp.vrrpPriority = UInt8(try number("vrrpprio", v!, 1...255))
        },
        WordRule("vrrpinterval", .number, "VRRPv3 advertisement interval in centiseconds, 1 to 4095") { r, v throws(UsageError) in
            r.carp.vrrpInterval = UInt16(try number("vrrpinterval", v!, 1...4095))
        },
    ]

    private static func peer(_ text: String, word: String) throws(UsageError) -> IPv4Address {
        guard let a = IPv4Address(text) else {
            if IPv6Address(text) != nil { throw UsageError("\(word): only IPv4 addresses are supported") }
            throw UsageError("\(word) \(text): bad address")
        }
        guard IPAddress.v4(a).isUnicast else { throw UsageError("\(word) \(text): not a unicast address") }
        return a
    }
}
