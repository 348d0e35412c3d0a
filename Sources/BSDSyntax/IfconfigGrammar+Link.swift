extension IfconfigGrammar {
    static let linkRules: [WordRule] = [
        WordRule("up", .none, "mark the interface up") { r, _ throws(UsageError) in r.up = true },
        WordRule("down", .none, "mark the interface down (a MASTER carp interface bows out)") { r, _ throws(UsageError) in r.up = false },
        WordRule("mtu", .number, "maximum transmission unit") { r, v throws(UsageError) in
            r.mtu = try number("mtu", v!, 68...65535)
        },
        WordRule("create", .none, "create a carp interface") { r, _ throws(UsageError) in r.create = true },
        WordRule("destroy", .none, "destroy a carp interface") { r, _ throws(UsageError) in r.destroy = true },
    ]
}
