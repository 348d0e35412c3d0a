import CARPTypes

extension IfconfigGrammar {
    static let linkRules: [WordRule] = [
        WordRule("up", .none, "mark the interface up") { r, _ throws(UsageError) in r.up = true },
        WordRule("down", .none, "mark the interface down (a MASTER carp interface bows out)") { r, _ throws(UsageError) in r.up = false },
        WordRule("mtu", .number, "maximum transmission unit") { r, v throws(UsageError) in
            r.mtu = try number("mtu", v!, 68...65535)
        },
        WordRule("create", .none, "create a carp interface") { r, _ throws(UsageError) in r.create = true },
        WordRule("destroy", .none, "destroy a carp interface") { r, _ throws(UsageError) in r.destroy = true },
        WordRule("lladdr", .text, "link-level (MAC) address: a carp interface's, or a plain link's") { r, v throws(UsageError) in
            do throws(ValueError) { r.lladdr = try MACAddress.unicast(v!) } catch { throw UsageError(error.message) }
        },
        WordRule("group", .text, "add a carp interface to an interface group") { r, v throws(UsageError) in
            r.carp.joinGroups.append(try groupName(v!))
        },
        WordRule("-group", .text, "remove a carp interface from an interface group") { r, v throws(UsageError) in
            r.carp.leaveGroups.append(try groupName(v!))
        },
    ]

    private static func groupName(_ text: String) throws(UsageError) -> String {
        do { return try InterfaceGroup.check(text) } catch { throw UsageError(error.message) }
    }
}
