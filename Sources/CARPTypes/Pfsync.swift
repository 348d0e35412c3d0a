/// A change to pfsync0 (`ifconfig pfsync0 syncdev em1 syncpeer 203.0.113.2 up`, a boot
/// file, `pfsync=1` on the control socket): only the fields given change. carpd runs
/// conntrackd from these settings (doc/pfsync.md); the keys come from `PfsyncFields`.
public struct PfsyncChange: Hashable, Sendable {
    /// `.some(nil)`: `-syncdev`.
    public var syncdev: String??
    /// `.some(nil)`: `-syncpeer` (the multicast group again).
    public var syncpeer: IPAddress??
    public var maxupd: UInt8?
    /// `defer` / `-defer`.
    public var deferUpdates: Bool?
    /// FreeBSD's protocol version: 1301 or 1400.
    public var version: UInt16?
    public var up: Bool?
    /// `ifconfig pfsync0 destroy`.
    public var destroy: Bool?

    public init() {}

    /// The change that recreates `record`'s settings (the saved state).
    public init(recreating record: PfsyncRecord) {
        syncdev = .some(record.syncdev)
        syncpeer = .some(record.syncpeer)
        maxupd = record.maxupd
        deferUpdates = record.deferUpdates
        version = record.version
        up = record.up
    }

    public var isEmpty: Bool { self == PfsyncChange() }
}

/// What carpd reports of pfsync0: the settings, whether conntrackd runs, whether the node is
/// in sync (FreeBSD's `syncok`), and the demotion it holds meanwhile.
public struct PfsyncRecord: Hashable, Sendable {
    public var ifname = PfsyncRecord.interfaceName
    public var syncdev: String?
    public var syncpeer: IPAddress?
    /// Kept and shown; conntrackd has nothing like it (FTFW sends every update).
    public var maxupd: UInt8 = 128
    /// Kept and shown; conntrackd has nothing like it.
    public var deferUpdates = false
    /// Kept and shown; conntrackd's protocol has its own version.
    public var version: UInt16 = 1400
    public var up = false
    /// conntrackd is running under carpd.
    public var running = false
    /// The peer's states have arrived (or the wait for them timed out).
    public var syncok = false
    /// What the node is demoted by meanwhile (FreeBSD's net.inet.carp.demotion share).
    public var demotion = 0

    public init() {}

    /// The one pfsync interface carpd provides (one conntrackd per carpd).
    public static let interfaceName = "pfsync0"

    /// pfsync(4)'s names: `pfsyncN`.
    public static func isPfsyncName(_ name: String) -> Bool {
        name.count > 6 && name.hasPrefix("pfsync") && name.dropFirst(6).allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// The keys of pfsync0 in the control protocol (`pfsync=1`), as `VirtualHostFields` are for
/// virtual hosts.
public enum PfsyncFields: FieldTable {
    public static let all: [Field<PfsyncChange, PfsyncRecord>] = [
        Field("ifname", record: .one(\.ifname, .interfaceName)),
        Field("syncdev", change: .one(\.syncdev, .optional(.interfaceName)), record: .one(\.syncdev, .optional(.interfaceName))),
        Field("syncpeer", change: .one(\.syncpeer, .optional(.syncpeer)), record: .one(\.syncpeer, .optional(.syncpeer))),
        Field("maxupd", change: .one(\.maxupd, .number("maxupd", 0...255)), record: .one(\.maxupd, .number("maxupd", 0...255))),
        Field("defer", change: .one(\.deferUpdates, .flag("defer")), record: .one(\.deferUpdates, .flag("defer"))),
        Field("version", change: .one(\.version, .pfsyncVersion), record: .one(\.version, .pfsyncVersion)),
        Field("up", change: .one(\.up, .flag("up")), record: .one(\.up, .flag("up"))),
        Field("destroy", change: .one(\.destroy, .flag("destroy"))),
        Field("running", record: .one(\.running, .flag("running"))),
        Field("syncok", record: .one(\.syncok, .flag("syncok"))),
        Field("demotion", record: .one(\.demotion, .integer("demotion"))),
    ]
}

extension ValueFormat {
    /// The value, or the empty text for none (`-syncdev`, `-syncpeer`).
    static func optional<Wrapped>(_ format: ValueFormat<Wrapped>) -> ValueFormat<Wrapped?> where Value == Wrapped? {
        ValueFormat<Wrapped?>(parse: { text throws(ValueError) in text.isEmpty ? nil : try format.parse(text) },
                              format: { $0.map(format.format) ?? "" })
    }
}

extension ValueFormat where Value == IPAddress {
    /// A unicast IPv4 or IPv6 peer for the state updates.
    static let syncpeer = ValueFormat(parse: { text throws(ValueError) in
        guard let address = IPAddress(text) else { throw ValueError("syncpeer \(text): bad address") }
        guard address.isUnicast else { throw ValueError("syncpeer \(text): not a unicast address") }
        return address
    }, format: { $0.description })
}

extension ValueFormat where Value == UInt16 {
    /// FreeBSD pfsync(4): 1301 (13.2 and older) or 1400 (14.0).
    static let pfsyncVersion = ValueFormat(parse: { text throws(ValueError) in
        guard text == "1301" || text == "1400" else { throw ValueError("version \(text): must be 1301 or 1400") }
        return UInt16(text)!
    }, format: { String($0) })
}

extension ValueFormat where Value == Int {
    static func integer(_ name: String) -> ValueFormat {
        ValueFormat(parse: { text throws(ValueError) in try NumberParsing.parse(name, text, Int(Int32.min)...Int(Int32.max)) },
                    format: { String($0) })
    }
}
