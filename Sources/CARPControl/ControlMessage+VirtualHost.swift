import CARPTypes

/// Virtual hosts on the wire: `set=1` carries a `VirtualHostChange`, a `get=1` reply one
/// `VirtualHostRecord` per virtual host, each starting at its `vhid=` line. Both go through
/// the one table of keys, `VirtualHostFields`.
extension ControlMessage {
    /// `set=1` and every key the change gives, in the table's order.
    public init(set change: VirtualHostChange) {
        self.init([("set", "1")])
        for field in VirtualHostFields.all {
            for value in field.values(of: change) { append(field.name, value) }
        }
    }

    /// The change a `set=1` request carries: every key checked, an unknown key refused.
    public func virtualHostChange() throws(ValueError) -> VirtualHostChange {
        var change = VirtualHostChange()
        for (name, value) in pairs.dropFirst() {
            guard let field = VirtualHostFields.field(named: name) else { throw ValueError("unknown key '\(name)'") }
            try field.read(value, into: &change)
        }
        return change
    }

    /// Appends `record`'s lines (the key only when the record holds one).
    public mutating func append(_ record: VirtualHostRecord) {
        for field in VirtualHostFields.all {
            for value in field.values(of: record) { append(field.name, value) }
        }
    }

    /// The records of a `get=1` reply. Keys this version does not know are skipped (a newer
    /// carpd may report more); a bad value of a known key is an error.
    public func virtualHostRecords() throws(ValueError) -> [VirtualHostRecord] {
        var records: [VirtualHostRecord] = []
        for pair in pairs where pair.key != "errno" && pair.key != "message" {
            if pair.key == "vhid" { records.append(VirtualHostRecord(ifname: "", carpdev: "", vhid: 0)) }
            guard !records.isEmpty, let field = VirtualHostFields.field(named: pair.key), field.isRecordKey else { continue }
            try field.read(pair.value, into: &records[records.count - 1])
        }
        return records
    }
}
