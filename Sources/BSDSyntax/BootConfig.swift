import CARPTypes

/// carpd's configuration directory, read at start, in the BSDs' own file formats:
/// OpenBSD `hostname.<if>` (one ifconfig argument list per line), FreeBSD `rc.conf`
/// (`ifconfig_<if>[_aliasN]="..."`) and `sysctl.conf` (`net.inet.carp.*=N`).
public enum BootConfig {
    /// One line to apply, with where it came from.
    public struct Item: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            case ifconfig(ifname: String, request: IfconfigRequest)
            case sysctl(name: String, value: Int)
        }
        public var kind: Kind
        public var file: String
        public var line: Int
    }

    /// `FILE:LINE: message`
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }

        public init(file: String, line: Int, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }
    }

    /// Items of one file and every problem in it; a file with a problem is refused whole
    /// (its items come back empty).
    public static func parse(fileName: String, path: String, contents: String) -> (items: [Item], problems: [Problem]) {
        if fileName == "sysctl.conf" { return collect(path, contents, sysctlLine) }
        if fileName == "rc.conf" {
            let parsed = collect(path, contents, rcConfLine)
            guard parsed.problems.isEmpty else { return parsed }
            switch rcConfPfsync(path, contents) {
            case .success(let item): return (parsed.items + (item.map { [$0] } ?? []), [])
            case .failure(let problem): return ([], [problem])
            }
        }
        if fileName.hasPrefix("hostname.") {
            let ifname = String(fileName.dropFirst("hostname.".count))
            guard InterfaceName.isValid(ifname) else {
                return ([], [Problem(file: path, line: 0, message: "\(ifname): bad interface name")])
            }
            return collect(path, contents) { text throws(UsageError) in try hostnameLine(ifname, text) }
        }
        return ([], [])
    }

    /// The order files are applied in: sysctl.conf, then physical interfaces, then pfsync0
    /// (its commit must be ready before a carp interface can become MASTER), then carpN (as
    /// OpenBSD's netstart does), then rc.conf.
    public static func order(_ names: [String]) -> [String] {
        func rank(_ name: String) -> Int {
            if name == "sysctl.conf" { return 0 }
            if name.hasPrefix("hostname.") {
                let ifname = String(name.dropFirst(9))
                return PfsyncRecord.isPfsyncName(ifname) ? 2 : IfconfigPlanner.isCarpName(ifname) ? 3 : 1
            }
            if name == "rc.conf" { return 4 }
            return 5
        }
        return names.filter { rank($0) < 5 }.sorted { (rank($0), $0) < (rank($1), $1) }
    }

    /// FreeBSD's rc.conf for pfsync(4): `pfsync_enable="YES"`, `pfsync_syncdev`,
    /// `pfsync_syncpeer`, `pfsync_ifconfig` become one `ifconfig pfsync0 syncdev DEV
    /// [syncpeer PEER] [IFCONFIG] up`, as /etc/rc.d/pfsync runs it.
    static func rcConfPfsync(_ path: String, _ contents: String) -> Result<Item?, Problem> {
        let values = rcConfVariables(contents, prefix: "pfsync_")
        guard let enable = values["pfsync_enable"], ["YES", "yes", "TRUE", "true", "ON", "on", "1"].contains(enable.value) else {
            return .success(nil)
        }
        guard let device = values["pfsync_syncdev"]?.value, !device.isEmpty else {
            return .failure(Problem(file: path, line: enable.line, message: "pfsync_syncdev is not set"))
        }
        var words = ["syncdev", device]
        if let peer = values["pfsync_syncpeer"]?.value, !peer.isEmpty { words += ["syncpeer", peer] }
        words += (values["pfsync_ifconfig"]?.value ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        do {
            return .success(Item(kind: .ifconfig(ifname: PfsyncRecord.interfaceName, request: try IfconfigParser.parse(words + ["up"])),
                                 file: path, line: enable.line))
        } catch {
            return .failure(Problem(file: path, line: enable.line, message: error.message))
        }
    }

    /// rc.conf's `carpd_metrics="[address:]port"`: where carpd serves Prometheus metrics when
    /// its command line has no -m (read at start; nil when unset or empty).
    public static func rcConfMetrics(_ path: String, _ contents: String) -> Result<MetricsListen?, Problem> {
        guard let setting = rcConfVariables(contents, prefix: "carpd_metrics")["carpd_metrics"], !setting.value.isEmpty else {
            return .success(nil)
        }
        return MetricsListen.parse(setting.value).map(Optional.some)
            .mapError { Problem(file: path, line: setting.line, message: "carpd_metrics: \($0)") }
    }

    /// The `NAME="value"` lines whose NAME starts with `prefix`, quotes removed; the last
    /// assignment wins, as when sh reads the file.
    static func rcConfVariables(_ contents: String, prefix: String) -> [String: (value: String, line: Int)] {
        var values: [String: (value: String, line: Int)] = [:]
        for (n, raw) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(raw.prefix { $0 != "#" }).trimmingWhitespace
            guard text.hasPrefix(prefix), let eq = text.firstIndex(of: "=") else { continue }
            var value = String(text[text.index(after: eq)...]).trimmingWhitespace
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q { value = String(value.dropFirst().dropLast()) }
            values[String(text[..<eq])] = (value, n + 1)
        }
        return values
    }

    private static func collect(_ path: String, _ contents: String,
                                _ parseLine: (String) throws(UsageError) -> Item.Kind?) -> (items: [Item], problems: [Problem]) {
        var items: [Item] = [], problems: [Problem] = []
        for (n, raw) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = String(raw.prefix { $0 != "#" }).trimmingWhitespace
            if text.isEmpty { continue }
            do {
                if let kind = try parseLine(text) { items.append(Item(kind: kind, file: path, line: n + 1)) }
            } catch {
                problems.append(Problem(file: path, line: n + 1, message: error.message))
            }
        }
        return problems.isEmpty ? (items, []) : ([], problems)
    }

    static func hostnameLine(_ ifname: String, _ text: String) throws(UsageError) -> Item.Kind {
        if text.hasPrefix("!") { throw UsageError("'!command' lines are not supported: run commands from a systemd unit or a notify.d hook") }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if let word = words.first(where: { ["dhcp", "autoconf", "rtsol", "inet6 autoconf"].contains($0) }) {
            throw UsageError("\(word): address autoconfiguration is the distribution's job, not carpd's")
        }
        return .ifconfig(ifname: ifname, request: try IfconfigParser.parse(words))
    }

    static func rcConfLine(_ text: String) throws(UsageError) -> Item.Kind? {
        guard text.hasPrefix("ifconfig_"), let eq = text.firstIndex(of: "=") else { return nil }
        let variable = text[text.index(text.startIndex, offsetBy: 9)..<eq]
        var value = String(text[text.index(after: eq)...]).trimmingWhitespace
        if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q { value = String(value.dropFirst().dropLast()) }
        // ifconfig_<if>, ifconfig_<if>_aliasN, ifconfig_<if>_ipv6; FreeBSD names em0.100 as em0_100: not supported.
        var ifname = String(variable)
        if let range = ifname.range(ofSuffix: "_ipv6") { ifname.removeSubrange(range) }
        if let alias = ifname.lastIndex(of: "_"), ifname[ifname.index(after: alias)...].hasPrefix("alias") {
            ifname = String(ifname[..<alias])
        }
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.isEmpty { return nil }
        if let word = words.first(where: { ["DHCP", "SYNCDHCP", "dhcp"].contains($0) }) {
            throw UsageError("\(word): address autoconfiguration is the distribution's job, not carpd's")
        }
        return .ifconfig(ifname: ifname, request: try IfconfigParser.parse(words))
    }

    static func sysctlLine(_ text: String) throws(UsageError) -> Item.Kind {
        guard let eq = text.firstIndex(of: "=") else { throw UsageError("expected name=value") }
        let name = String(text[..<eq]).trimmingWhitespace, value = String(text[text.index(after: eq)...]).trimmingWhitespace
        guard SysctlNames.prefix(of: name) != nil else {
            throw UsageError("\(name): only net.inet.carp and net.pfsync names belong here; put others in /etc/sysctl.d")
        }
        guard SysctlNames.carpNames.contains(name) else { throw UsageError("unknown oid '\(name)'") }
        guard let n = Int(value) else { throw UsageError("\(name): \(value): invalid integer") }
        return .sysctl(name: name, value: n)
    }
}

extension String {
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }

    func range(ofSuffix suffix: String) -> Range<String.Index>? {
        guard hasSuffix(suffix) else { return nil }
        return index(endIndex, offsetBy: -suffix.count)..<endIndex
    }
}
