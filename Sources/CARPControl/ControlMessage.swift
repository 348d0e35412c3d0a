/// One request or reply of the control protocol (doc/control-protocol.md): an ordered
/// list of key=value pairs. Requests start with their command (`get=1`, `set=1`, ...);
/// replies end with `errno=N` and, when N != 0, `message=TEXT`.
public struct ControlMessage: Hashable, Sendable {
    public var pairs: [(key: String, value: String)]

    public init(_ pairs: [(key: String, value: String)] = []) { self.pairs = pairs }

    public static func == (a: ControlMessage, b: ControlMessage) -> Bool {
        a.pairs.elementsEqual(b.pairs) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for (k, v) in pairs { hasher.combine(k); hasher.combine(v) }
    }

    public mutating func append(_ key: String, _ value: String) { pairs.append((key, value)) }
    public mutating func append(_ key: String, _ value: some BinaryInteger) { pairs.append((key, String(value))) }

    /// The first value of `key`.
    public subscript(key: String) -> String? { pairs.first { $0.key == key }?.value }

    /// Every value of a repeatable key, in order.
    public func values(_ key: String) -> [String] { pairs.filter { $0.key == key }.map(\.value) }

    /// The command of a request: its first key.
    public var command: String? { pairs.first?.key }

    /// Wire text: one `key=value` line each, then an empty line.
    public var encoded: String { pairs.map { "\($0.key)=\(Self.wireValue($0.value))\n" }.joined() + "\n" }

    /// A value cannot carry LF or NUL (`decode` refuses both). Where one echoes outside
    /// text (a refused request, a line of a configuration file) they travel as vis(3)'s
    /// octal escapes \012 and \000, so that every reply decodes.
    static func wireValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0 || $0 == 0x0A }) else { return value }
        var visible = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\0": visible += "\\000"
            case "\n": visible += "\\012"
            default: visible.unicodeScalars.append(scalar)
            }
        }
        return visible
    }

    /// Splits a reply into records, each starting at a line with `key` (e.g. `vhid`).
    public func records(startingWith key: String) -> [ControlMessage] {
        var records: [ControlMessage] = []
        for pair in pairs where pair.key != "errno" && pair.key != "message" {
            if pair.key == key || records.isEmpty { records.append(ControlMessage()) }
            records[records.count - 1].pairs.append(pair)
        }
        return records
    }
}

public struct ControlDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

extension ControlMessage {
    public static let maximumSize = 65536

    /// Parses text up to its first empty line. Keys are lowercase letters, digits and '_';
    /// values may not contain newlines (they cannot, by construction) or NUL.
    public static func decode(_ text: String) throws(ControlDecodeError) -> ControlMessage {
        guard text.utf8.count <= maximumSize else { throw ControlDecodeError(line: 0, reason: "request too large") }
        var message = ControlMessage()
        // Lines end at each LF byte; working on UTF-8 keeps a 255-vhid reply cheap to read.
        let bytes = Array(text.utf8)
        var start = 0, number = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            number += 1
            start = end + 1
            if line.isEmpty { break }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                throw ControlDecodeError(line: number, reason: "expected key=value, got '\(String(decoding: line, as: UTF8.self).prefix(64))'")
            }
            let key = line[..<equals], value = line[(equals + 1)...]
            guard !key.isEmpty, key.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f }) else {
                throw ControlDecodeError(line: number, reason: "invalid key '\(String(decoding: key, as: UTF8.self).prefix(64))'")
            }
            guard !value.contains(0) else { throw ControlDecodeError(line: number, reason: "NUL in value") }
            message.pairs.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        guard !message.pairs.isEmpty else { throw ControlDecodeError(line: 1, reason: "empty request") }
        return message
    }

    /// A reply's errno (0 if absent) and message.
    public var errno: Int32 { Int32(self["errno"] ?? "0") ?? 0 }
    public var message: String? { self["message"] }

    public static func failure(errno: Int32, _ text: String) -> ControlMessage {
        ControlMessage([("errno", String(errno)), ("message", text)])
    }
}
