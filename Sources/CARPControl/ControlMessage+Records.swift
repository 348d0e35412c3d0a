import CARPTypes

/// Typed objects on the wire, through their tables of keys (`FieldTable`): `set=1` carries a
/// `VirtualHostChange` and a `get=1` reply one `VirtualHostRecord` per virtual host, each
/// starting at its `vhid=` line; `pfsync=1` carries a `PfsyncChange` and its reply a
/// `PfsyncRecord`.
extension ControlMessage {
    /// `command=1` and every key the change gives, in the table's order.
    public init<Table: FieldTable>(_ command: String, _ change: Table.Change, table: Table.Type) {
        self.init([(command, "1")])
        for field in Table.all {
            for value in field.values(of: change) { append(field.name, value) }
        }
    }

    /// The change a request carries after its command line: every key checked, an unknown
    /// key refused.
    public func change<Table: FieldTable>(_ table: Table.Type, from empty: Table.Change) throws(ValueError) -> Table.Change {
        var change = empty
        for (name, value) in pairs.dropFirst() {
            guard let field = Table.field(named: name) else { throw ValueError("unknown key '\(name)'") }
            try field.read(value, into: &change)
        }
        return change
    }

    /// Appends `record`'s lines.
    public mutating func append<Table: FieldTable>(_ record: Table.Record, table: Table.Type) {
        for field in Table.all {
            for value in field.values(of: record) { append(field.name, value) }
        }
    }

    /// The records of a reply, each starting at a line with `key`. Keys this version does not
    /// know are skipped (a newer carpd may report more); a bad value of a known key is an error.
    public func records<Table: FieldTable>(_ table: Table.Type, startingWith key: String,
                                           from empty: Table.Record) throws(ValueError) -> [Table.Record] {
        var records: [Table.Record] = []
        for pair in pairs where pair.key != "errno" && pair.key != "message" {
            if pair.key == key { records.append(empty) }
            guard !records.isEmpty, let field = Table.field(named: pair.key), field.isRecordKey else { continue }
            try field.read(pair.value, into: &records[records.count - 1])
        }
        return records
    }

    // MARK: - Virtual hosts

    /// `set=1` and every key the change gives.
    public init(set change: VirtualHostChange) { self.init("set", change, table: VirtualHostFields.self) }

    public func virtualHostChange() throws(ValueError) -> VirtualHostChange {
        try change(VirtualHostFields.self, from: VirtualHostChange())
    }

    public mutating func append(_ record: VirtualHostRecord) { append(record, table: VirtualHostFields.self) }

    public func virtualHostRecords() throws(ValueError) -> [VirtualHostRecord] {
        try records(VirtualHostFields.self, startingWith: "vhid", from: VirtualHostRecord(ifname: "", carpdev: "", vhid: 0))
    }

    // MARK: - pfsync

    public init(pfsync change: PfsyncChange) { self.init("pfsync", change, table: PfsyncFields.self) }

    public func pfsyncChange() throws(ValueError) -> PfsyncChange { try change(PfsyncFields.self, from: PfsyncChange()) }

    public mutating func append(_ record: PfsyncRecord) { append(record, table: PfsyncFields.self) }

    /// The pfsync record of a reply; nil when it has none (no pfsync0).
    public func pfsyncRecord() throws(ValueError) -> PfsyncRecord? {
        try records(PfsyncFields.self, startingWith: "ifname", from: PfsyncRecord()).first
    }
}
