/// FreeBSD's libxo output for the statistics blocks: `netstat --libxo json -s -p carp`
/// gives `{"__version": "1", "statistics": {"carp": {"received-inet-packets": N, ...}}}`
/// with FreeBSD's key names, so that scripts written for FreeBSD read it unchanged.
enum Libxo {
    enum Format: Equatable {
        case text, json, xml
    }

    struct Style: Equatable {
        var format: Format = .text
        var pretty = false
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

    /// One container of counters (`carp`, `pfsync`) inside `statistics`.
    static func render(_ container: String, _ counters: [(key: String, value: UInt64)], style: Style) -> String {
        switch style.format {
        case .text:
            return ""
        case .json:
            let fields = counters.map { "\"\($0.key)\": \($0.value)" }
            if !style.pretty {
                return "{\"__version\": \"1\", \"statistics\": {\"\(container)\": {\(fields.joined(separator: ", "))}}}"
            }
            let body = fields.map { "      " + $0 }.joined(separator: ",\n")
            return "{\n  \"__version\": \"1\",\n  \"statistics\": {\n    \"\(container)\": {\n\(body)\n    }\n  }\n}"
        case .xml:
            let fields = counters.map { "<\($0.key)>\($0.value)</\($0.key)>" }
            if !style.pretty { return "<statistics __version=\"1\"><\(container)>\(fields.joined())</\(container)></statistics>" }
            let body = fields.map { "    " + $0 }.joined(separator: "\n")
            return "<statistics __version=\"1\">\n  <\(container)>\n\(body)\n  </\(container)>\n</statistics>"
        }
    }
}
