/// FreeBSD's libxo output: `netstat --libxo json -s -p carp` gives
/// `{"__version": "1", "statistics": {"carp": {"received-inet-packets": N, ...}}}` and
/// `ifconfig --libxo json` the CARP state of each interface, with FreeBSD's key names, so
/// that scripts written for FreeBSD read them unchanged.
enum Libxo {
    enum Format: Equatable {
        case text, json, xml
    }

    struct Style: Equatable {
        var format: Format = .text
        var pretty = false
    }

    /// What a document holds: numbers, strings, lists (of objects) and objects, in order.
    indirect enum Value: Equatable {
        case number(Int64)
        case string(String)
        case list([Value])
        case object([Field])
    }

    struct Field: Equatable {
        let key: String
        let value: Value
        init(_ key: String, _ value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// `--libxo json`, `--libxo=xml,pretty`, `--libxo text`: the words libxo takes.
    static func parse(_ value: String) throws(ToolError) -> Style {
        var style = Style()
        for word in value.split(separator: ",", omittingEmptySubsequences: false) {
            switch word {
            case "json": style.format = .json
            case "xml": style.format = .xml
            case "text": style.format = .text
            case "pretty": style.pretty = true
            default: throw ToolError("--libxo: \(word.isEmpty ? "(empty)" : String(word)): unknown option (json, xml, text, pretty)")
            }
        }
        return style
    }

    /// A document: `{"__version": "1", root: value}`; in XML one element `root` carrying
    /// the version as an attribute.
    static func document(_ root: String, _ value: Value, style: Style) -> String {
        switch style.format {
        case .text:
            return ""
        case .json:
            return json(.object([Field("__version", .string("1")), Field(root, value)]), pretty: style.pretty, depth: 0)
        case .xml:
            return xml(root, value, pretty: style.pretty, depth: 0, attributes: " __version=\"1\"")
        }
    }

    private static func json(_ value: Value, pretty: Bool, depth: Int) -> String {
        let pad = pretty ? "\n" + String(repeating: "  ", count: depth + 1) : "", close = pretty ? "\n" + String(repeating: "  ", count: depth) : ""
        switch value {
        case .number(let n): return String(n)
        case .string(let s): return quoted(s)
        case .list(let items):
            if items.isEmpty { return "[]" }
            return "[" + items.map { pad + json($0, pretty: pretty, depth: depth + 1) }.joined(separator: pretty ? "," : ", ") + close + "]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let body = fields.map { pad + quoted($0.key) + ": " + json($0.value, pretty: pretty, depth: depth + 1) }
            return "{" + body.joined(separator: pretty ? "," : ", ") + close + "}"
        }
    }

    /// A list is its elements repeated under the list's name, as libxo writes them.
    private static func xml(_ name: String, _ value: Value, pretty: Bool, depth: Int, attributes: String = "") -> String {
        let indent = pretty ? String(repeating: "  ", count: depth) : "", newline = pretty ? "\n" : ""
        switch value {
        case .number(let n): return "\(indent)<\(name)\(attributes)>\(n)</\(name)>"
        case .string(let s): return "\(indent)<\(name)\(attributes)>\(escaped(s))</\(name)>"
        case .list(let items):
            return items.map { xml(name, $0, pretty: pretty, depth: depth) }.joined(separator: newline)
        case .object(let fields):
            let inner = fields.map { xml($0.key, $0.value, pretty: pretty, depth: depth + 1) }.filter { !$0.isEmpty }
            if inner.isEmpty { return "\(indent)<\(name)\(attributes)/>" }
            return "\(indent)<\(name)\(attributes)>" + newline + inner.joined(separator: newline) + newline + "\(indent)</\(name)>"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func escaped(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
