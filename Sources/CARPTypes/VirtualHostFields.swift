/// The keys of a virtual host in the control protocol (doc/control-protocol.md), one row
/// each: its name, how its value is read and checked, how it is written, and where it goes
/// in a `VirtualHostChange` (`set=1`) and a `VirtualHostRecord` (`get=1`, the saved state).
/// The codec, the checks and the persistence all come from this table; a new key is a new
/// row here plus the code that uses its value.
public enum VirtualHostFields: FieldTable {
    public static let all: [VirtualHostField] = [
        VirtualHostField("vhid", change: .one(\.vhid, .number("vhid", 1...255)), record: .one(\.vhid, .number("vhid", 0...255))),
        VirtualHostField("ifname", change: .one(\.ifname, .interfaceName), record: .one(\.ifname, .interfaceName)),
        VirtualHostField("carpdev", change: .one(\.carpdev, .interfaceName), record: .one(\.carpdev, .interfaceNameOrNone)),
        VirtualHostField("state", change: .one(\.state, .state), record: .one(\.state, .state)),
        VirtualHostField("advbase", change: .one(\.advbase, .number("advbase", 0...255)), record: .one(\.advbase, .number("advbase", 0...255))),
        VirtualHostField("advskew", change: .one(\.advskew, .advskew), record: .one(\.advskew, .advskew)),
        VirtualHostField("demote", record: .one(\.demote, .number("demote", 0...255))),
        VirtualHostField("peer", change: .one(\.peer, .peer), record: .one(\.peer, .peer)),
        VirtualHostField("peer6", change: .one(\.peer6, .peer6), record: .one(\.peer6, .peer6)),
        VirtualHostField("up", change: .one(\.up, .flag("up")), record: .one(\.up, .flag("up"))),
        VirtualHostField("named", record: .one(\.named, .flag("named"))),
        VirtualHostField("addr", change: .many(\.add, .unicastPrefix), record: .many(\.addresses, .unicastPrefix)),
        VirtualHostField("deladdr", change: .many(\.delete, .unicastPrefix)),
        VirtualHostField("key", change: .one(\.key, .passphrase), record: .one(\.key, .passphrase)),
        VirtualHostField("lladdr", change: .one(\.lladdr, .unicastMAC), record: .one(\.lladdr, .unicastMAC)),
        VirtualHostField("group", change: .many(\.joinGroups, .groupName)),
        VirtualHostField("delgroup", change: .many(\.leaveGroups, .groupName)),
        // One line, comma-separated, possibly empty: an old saved state without it means `carp`.
        VirtualHostField("groups", record: .one(\.groups, .groupList)),
        VirtualHostField("carpver", change: .one(\.version, .carpver), record: .one(\.version, .carpver)),
        VirtualHostField("vrrpprio", change: .one(\.vrrpPriority, .number("vrrpprio", 1...255)),
                         record: .one(\.vrrpPriority, .number("vrrpprio", 1...255))),
        VirtualHostField("vrrpinterval", change: .one(\.vrrpInterval, .vrrpInterval), record: .one(\.vrrpInterval, .vrrpInterval)),
        VirtualHostField("carpnodes", change: .one(\.carpnodes, .carpnodes)),
        VirtualHostField("balancing", change: .one(\.balancing, .balancing), record: .one(\.balancing, .balancing)),
        VirtualHostField("since", record: .one(\.since, .seconds)),
        VirtualHostField("reason", record: .one(\.reason, .text)),
    ]
}

public typealias VirtualHostField = Field<VirtualHostChange, VirtualHostRecord>

/// A table of control keys for one kind of object: its changes (`Change`, a request) and its
/// records (`Record`, a reply or the saved state). Virtual hosts have one (`VirtualHostFields`),
/// pfsync has one (`PfsyncFields`); ControlMessage reads and writes both through this.
public protocol FieldTable {
    associatedtype Change
    associatedtype Record
    static var all: [Field<Change, Record>] { get }
}

extension FieldTable {
    /// The row named `name`.
    public static func field(named name: String) -> Field<Change, Record>? { all.first { $0.name == name } }
}

/// One key of a table: what it means in a change and in a record (either may be absent:
/// `deladdr` exists only in changes, `named` and `demote` only in records).
public struct Field<Change, Record>: Sendable {
    public let name: String
    let change: Slot<Change>?
    let record: Slot<Record>?

    init(_ name: String, change: Slot<Change>? = nil, record: Slot<Record>? = nil) {
        self.name = name
        self.change = change
        self.record = record
    }

    public var isChangeKey: Bool { change != nil }
    public var isRecordKey: Bool { record != nil }

    /// Reads one `name=text` line into `change`; a key that is not a change key is refused.
    public func read(_ text: String, into change: inout Change) throws(ValueError) {
        guard let slot = self.change else { throw ValueError("unknown key '\(name)'") }
        try slot.read(text, &change)
    }

    public func read(_ text: String, into record: inout Record) throws(ValueError) {
        guard let slot = self.record else { throw ValueError("unknown key '\(name)'") }
        try slot.read(text, &record)
    }

    /// The values this key has in `change`, one line each (none when absent).
    public func values(of change: Change) -> [String] { self.change?.write(change) ?? [] }
    public func values(of record: Record) -> [String] { self.record?.write(record) ?? [] }

    /// Where a field's value lives in `Root`: one optional value, or a repeated one.
    struct Slot<Root>: Sendable {
        let read: @Sendable (String, inout Root) throws(ValueError) -> Void
        let write: @Sendable (Root) -> [String]

        static func one<V>(_ path: WritableKeyPath<Root, V?> & Sendable, _ format: ValueFormat<V>) -> Slot {
            Slot(read: { text, root throws(ValueError) in root[keyPath: path] = try format.parse(text) },
                 write: { root in root[keyPath: path].map { [format.format($0)] } ?? [] })
        }

        static func one<V>(_ path: WritableKeyPath<Root, V> & Sendable, _ format: ValueFormat<V>) -> Slot {
            Slot(read: { text, root throws(ValueError) in root[keyPath: path] = try format.parse(text) },
                 write: { root in [format.format(root[keyPath: path])] })
        }

        static func many<V>(_ path: WritableKeyPath<Root, [V]> & Sendable, _ format: ValueFormat<V>) -> Slot {
            Slot(read: { text, root throws(ValueError) in root[keyPath: path].append(try format.parse(text)) },
                 write: { root in root[keyPath: path].map(format.format) })
        }
    }
}

/// How one value is written and read back, with the BSD wording of every refusal.
public struct ValueFormat<Value>: Sendable {
    public let parse: @Sendable (String) throws(ValueError) -> Value
    public let format: @Sendable (Value) -> String
}

extension ValueFormat where Value == UInt8 {
    static func number(_ name: String, _ range: ClosedRange<Int>) -> ValueFormat {
        ValueFormat(parse: { text throws(ValueError) in UInt8(try NumberParsing.parse(name, text, range)) }, format: { String($0) })
    }

    static let advskew = number("advskew", 0...Int(GlobalSettings.maximumAdvskew))

    /// FreeBSD's carpver: 2 (CARP) or 3 (VRRPv3), with its ifconfig's wording.
    static let carpver = ValueFormat(parse: { text throws(ValueError) in
        guard text == "2" || text == "3" else { throw ValueError("carpver \(text): version must be 2 or 3") }
        return UInt8(text)!
    }, format: { String($0) })
}

extension ValueFormat where Value == [CarpNode] {
    static let carpnodes = ValueFormat(parse: { text throws(ValueError) in try CarpNode.parseList(text) }, format: CarpNode.format)
}

extension ValueFormat where Value == BalancingMode {
    /// OpenBSD's wording for an unknown mode.
    static let balancing = ValueFormat(parse: { text throws(ValueError) in
        guard let mode = BalancingMode(rawValue: text.lowercased()) else { throw ValueError("balancing \(text): unknown mode") }
        return mode
    }, format: { $0.rawValue })
}

extension ValueFormat where Value == UInt16 {
    /// VRRPv3's Max Advertise Interval: 12 bits of centiseconds.
    static let vrrpInterval = ValueFormat(parse: { text throws(ValueError) in
        UInt16(try NumberParsing.parse("vrrpinterval", text, 1...4095))
    }, format: { String($0) })
}

extension ValueFormat where Value == Bool {
    static func flag(_ name: String) -> ValueFormat {
        ValueFormat(parse: { text throws(ValueError) in
            guard text == "0" || text == "1" else { throw ValueError("\(name) \(text): must be 0 or 1") }
            return text == "1"
        }, format: { $0 ? "1" : "0" })
    }
}

extension ValueFormat where Value == String {
    static let interfaceName = ValueFormat(parse: { text throws(ValueError) in
        guard InterfaceName.isValid(text) else { throw ValueError("\(text): invalid interface name") }
        return text
    }, format: { $0 })

    /// A record's carpdev: empty while a carp interface has none.
    static let interfaceNameOrNone = ValueFormat(parse: { text throws(ValueError) in
        text.isEmpty ? text : try interfaceName.parse(text)
    }, format: { $0 })
}

extension ValueFormat where Value == String {
    static let groupName = ValueFormat(parse: { text throws(ValueError) in try InterfaceGroup.check(text) }, format: { $0 })
}

extension ValueFormat where Value == UInt64 {
    static let seconds = ValueFormat(parse: { text throws(ValueError) in
        guard let n = UInt64(text) else { throw ValueError("\(text): not a number of seconds") }
        return n
    }, format: { String($0) })
}

extension ValueFormat where Value == String {
    /// Free text carpd writes (a transition's reason).
    static let text = ValueFormat(parse: { $0 }, format: { $0 })
}

extension ValueFormat where Value == MACAddress {
    static let unicastMAC = ValueFormat(parse: { text throws(ValueError) in try MACAddress.unicast(text) }, format: { $0.description })
}

extension ValueFormat where Value == [String] {
    static let groupList = ValueFormat(parse: { text throws(ValueError) in
        var groups: [String] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) where !text.isEmpty {
            groups.append(try InterfaceGroup.check(String(name)))
        }
        return groups
    }, format: { $0.joined(separator: ",") })
}

extension ValueFormat where Value == CARPState {
    static let state = ValueFormat(parse: { text throws(ValueError) in
        guard let state = CARPState(name: text) else { throw ValueError("state \(text): must be init, backup or master") }
        return state
    }, format: { $0.description })
}

extension ValueFormat where Value == CARPKey {
    static let passphrase = ValueFormat(parse: { CARPKey(passphrase: $0) }, format: { $0.passphrase })
}

extension ValueFormat where Value == IPv4Address {
    /// A unicast IPv4 peer, or the group (224.0.0.18, also spelled `mcast`).
    static let peer = ValueFormat.peer("peer", group: .carpGroup, alias: "mcast", unparsable: "only IPv4 addresses are supported",
                                       parse: { IPv4Address($0) }, address: { .v4($0) })
}

extension ValueFormat where Value == IPv6Address {
    /// A unicast IPv6 peer, or the group (ff02::12, also spelled `mcast6`).
    static let peer6 = ValueFormat.peer("peer6", group: .carpGroup, alias: "mcast6", unparsable: "bad address",
                                        parse: { IPv6Address($0) }, address: { .v6($0) })
}

extension ValueFormat where Value: CustomStringConvertible & Equatable & Sendable {
    /// A unicast peer of one family, or that family's CARP group (also spelled `alias`).
    static func peer(_ name: String, group: Value, alias: String, unparsable: String,
                     parse: @escaping @Sendable (String) -> Value?, address: @escaping @Sendable (Value) -> IPAddress) -> ValueFormat {
        ValueFormat(parse: { text throws(ValueError) in
            if text == alias { return group }
            guard let a = parse(text) else { throw ValueError("\(name) \(text): \(unparsable)") }
            guard a == group || address(a).isUnicast else { throw ValueError("\(name) \(text): not a unicast address") }
            return a
        }, format: { $0.description })
    }
}

extension ValueFormat where Value == IPPrefix {
    /// A virtual address with its prefix length.
    static let unicastPrefix = ValueFormat(parse: { text throws(ValueError) in
        guard let p = IPPrefix(text) else { throw ValueError("\(text): bad address") }
        guard p.address.isUnicast else { throw ValueError("\(text): not a unicast address") }
        return p
    }, format: { $0.description })
}

extension FieldTable {
    /// `change` with every value checked as the control protocol checks it (written and read
    /// back through the table, starting from `empty`), so that a change that never crossed
    /// the socket (a boot file line, the saved state) meets the same rules as one that did.
    public static func validated(_ change: Change, from empty: Change) throws(ValueError) -> Change {
        var checked = empty
        for field in all {
            for value in field.values(of: change) { try field.read(value, into: &checked) }
        }
        return checked
    }
}

extension VirtualHostChange {
    public func validated() throws(ValueError) -> VirtualHostChange { try VirtualHostFields.validated(self, from: VirtualHostChange()) }
}

extension PfsyncChange {
    public func validated() throws(ValueError) -> PfsyncChange { try PfsyncFields.validated(self, from: PfsyncChange()) }
}
