/// The Prometheus text exposition format, version 0.0.4: each family once with its HELP
/// and TYPE, then its samples; label values and help escaped as the format asks.
struct PrometheusText {
    enum Kind: String { case gauge, counter }

    private(set) var text = ""

    mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        let escaped = help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
        text += "# HELP \(name) \(escaped)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: some BinaryInteger) {
        sample(name, labels, String(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        sample(name, labels, value.isFinite ? String(value) : value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
    }

    /// A family with a single sample.
    mutating func single(_ name: String, _ kind: Kind, _ help: String, _ labels: [(String, String)] = [], _ value: some BinaryInteger) {
        family(name, kind, help)
        sample(name, labels, value)
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            let pairs = labels.map { "\($0.0)=\"\($0.1.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n"))\"" }
            text += "{" + pairs.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }
}
