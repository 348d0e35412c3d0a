import BSDSyntax
import CARPControl
import CARPCore
import Glibc

/// `netstart [-n] [interface ...]`: the configuration files of some interfaces read again
/// and applied, as OpenBSD's `sh /etc/netstart carp0` does. At start carpd reads them only
/// when there is no runtime state, so this is how a changed file takes effect. Like
/// OpenBSD's, it adds what the lines say and removes nothing (an address deleted from the
/// file stays until `ifconfig carp0 -alias ...` or `ifconfig carp0 destroy`).
extension Node {
    /// `netstart=1`, `ifname=` repeated (none: every interface's file), `dryrun=1` for -n.
    /// The reply lists `line=FILE:N: TEXT` for what was (or would be) applied and
    /// `problem=FILE:N: MESSAGE` for what was not.
    func netstart(_ request: ControlMessage, root: Bool) throws(ControlFailure) -> ControlMessage {
        // Root only, -n too: the lines carry the keys.
        guard root else { throw ControlFailure(EPERM, "Operation not permitted") }
        try allowOnly(["netstart", "ifname", "dryrun"], in: request)
        let wanted = request.values("ifname")
        for name in wanted where !InterfaceName.isValid(name) {
            throw ControlFailure(EINVAL, "\(name): bad interface name")
        }
        let (items, problems) = Self.netstartItems(for: Set(wanted), directory: options.configDirectory, files: files)
        var reply = ControlMessage()
        for item in items { reply.append("line", "\(item.file):\(item.line): \(sourceLine(of: item))") }
        var failures: [BootConfig.Problem] = []
        if request["dryrun"] != "1" {
            failures = applyBootItems(items)
            // A summary only: the lines carry the keys.
            log.info("netstart \(wanted.isEmpty ? "(all)" : wanted.joined(separator: " ")): \(items.count - failures.count) of \(items.count) lines applied")
        }
        for problem in problems + failures { reply.append("problem", problem.description) }
        return reply
    }

    /// The interface lines for `names` (all interfaces when empty; sysctl.conf is not an
    /// interface's), the problems of their files, and one for a name no file configures.
    static func netstartItems(for names: Set<String>, directory: String,
                              files: FilePort) -> (items: [BootConfig.Item], problems: [BootConfig.Problem]) {
        let (all, problems) = readConfiguration(directory, files: files)
        let items = all.filter { item in
            guard case .ifconfig(let ifname, _) = item.kind else { return false }
            return names.isEmpty || names.contains(ifname)
        }
        let relevant = problems.filter { problem in
            let file = String(problem.file.split(separator: "/").last ?? "")
            if file == "sysctl.conf" { return false }
            guard file.hasPrefix("hostname."), !names.isEmpty else { return true }
            return names.contains(String(file.dropFirst("hostname.".count)))
        }
        var missing: [BootConfig.Problem] = []
        for name in names.sorted() where !items.contains(where: { $0.ifname == name })
            && !relevant.contains(where: { $0.file.hasSuffix("/hostname.\(name)") }) {
            missing.append(BootConfig.Problem(file: "\(directory)/hostname.\(name)", line: 0,
                                              message: "\(name): not configured (no hostname.\(name), no ifconfig_\(name) in rc.conf)"))
        }
        return (items, relevant + missing)
    }

    /// The line as the file has it, for `netstart -n`.
    private func sourceLine(of item: BootConfig.Item) -> String {
        let lines = files.read(item.file)?.split(separator: "\n", omittingEmptySubsequences: false) ?? []
        guard item.line >= 1 && item.line <= lines.count else { return "" }
        return lines[item.line - 1].split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

extension BootConfig.Item {
    /// The interface an ifconfig line is for.
    var ifname: String? {
        guard case .ifconfig(let name, _) = kind else { return nil }
        return name
    }
}
