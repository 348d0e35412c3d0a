import CARPTypes

extension IfconfigGrammar {
    /// pfsync(4)'s words, both BSDs' spellings: OpenBSD's syncdev (and the original syncif),
    /// syncpeer, maxupd, defer; FreeBSD's version.
    static let pfsyncRules: [WordRule] = [
        WordRule("syncdev", .interface, "pfsync: the interface state updates travel on") { r, v throws(UsageError) in
            r.pfsync.syncdev = .some(try syncdev(v!, word: "syncdev"))
        },
        WordRule("syncif", .interface, "pfsync: same as syncdev") { r, v throws(UsageError) in
            r.pfsync.syncdev = .some(try syncdev(v!, word: "syncif"))
        },
        WordRule("-syncdev", .none, "pfsync: stop sending state updates") { r, _ throws(UsageError) in r.pfsync.syncdev = .some(nil) },
        WordRule("-syncif", .none, "pfsync: same as -syncdev") { r, _ throws(UsageError) in r.pfsync.syncdev = .some(nil) },
        WordRule("syncpeer", .address, "pfsync: send state updates to this peer, not the multicast group") { r, v throws(UsageError) in
            guard let address = IPAddress(v!) else { throw UsageError("syncpeer \(v!): bad address") }
            guard address.isUnicast else { throw UsageError("syncpeer \(v!): not a unicast address") }
            r.pfsync.syncpeer = .some(address)
        },
        WordRule("-syncpeer", .none, "pfsync: use the multicast group again") { r, _ throws(UsageError) in r.pfsync.syncpeer = .some(nil) },
        WordRule("maxupd", .number, "pfsync: updates of a state collapsed into one, 0 to 255 (kept, not applied)") { r, v throws(UsageError) in
            r.pfsync.maxupd = UInt8(try number("maxupd", v!, 0...255))
        },
        WordRule("defer", .none, "pfsync: hold a new state's first packet for the peer (kept, not applied)") { r, _ throws(UsageError) in
            r.pfsync.deferUpdates = true
        },
        WordRule("-defer", .none, "pfsync: do not hold first packets") { r, _ throws(UsageError) in r.pfsync.deferUpdates = false },
        WordRule("version", .choice(["1301", "1400"]), "pfsync: FreeBSD's protocol version (kept, not applied)") { r, v throws(UsageError) in
            guard v == "1301" || v == "1400" else { throw UsageError("version \(v!): must be 1301 or 1400") }
            r.pfsync.version = UInt16(v!)
        },
    ]

    private static func syncdev(_ name: String, word: String) throws(UsageError) -> String {
        guard InterfaceName.isValid(name) else { throw UsageError("\(word) \(name): bad interface name") }
        return name
    }
}
