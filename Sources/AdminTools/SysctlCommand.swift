import BSDSyntax
import CARPTypes
import Glibc
import LinuxHost

/// `sysctl`: net.inet.carp from carpd, a few BSD names mapped onto /proc/sys, and every
/// other name handed to Linux's own sysctl(8), so this one can come first on PATH.
public struct SysctlCommand {
    let out: Output
    let carpd: CarpdClient
    /// procps' sysctl, for every name that is not ours.
    let linuxSysctl: String?

    public init(out: Output, carpd: CarpdClient, linuxSysctl: String?) {
        self.out = out
        self.carpd = carpd
        self.linuxSysctl = linuxSysctl
    }

    /// procps installs it in /usr/sbin (Debian 12) or /sbin.
    public init(out: Output, carpd: CarpdClient) {
        self.init(out: out, carpd: carpd, linuxSysctl: Spawn.find(["/usr/sbin/sysctl", "/sbin/sysctl"]))
    }

    struct Flags {
        var all = false, valueOnly = false, quiet = false, namesOnly = false
        var files: [String] = []
    }

    static let usage = "usage: sysctl [-anq] [-f file | -p [file]] [name[=value] ...]"

    public func run(_ arguments: [String]) -> Int32 {
        var flags = Flags()
        var operands: [String] = []
        do {
            (flags, operands) = try Self.parseFlags(arguments)
        } catch {
            out.printError("sysctl: \(error)\n\(Self.usage)")
            return 1
        }
        var failed = false
        if operands.isEmpty && flags.files.isEmpty {
            failed = !listCarp(flags) || failed
            for (bsd, _) in SysctlNames.mapped { failed = !handle(bsd, flags) || failed }
            if let linux = linuxSysctl { failed = ChildProcesses.run(linux, ["-a"] + (flags.valueOnly ? ["-n"] : [])) != 0 || failed }
        }
        for operand in operands { failed = !handle(operand, flags) || failed }
        for file in flags.files { failed = !load(file, flags) || failed }
        return failed ? 1 : 0
    }

    static func parseFlags(_ arguments: [String]) throws(ToolError) -> (Flags, [String]) {
        var flags = Flags(), operands: [String] = [], index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("-"), word.count > 1, operands.isEmpty else { operands.append(word); continue }
            for (n, c) in word.dropFirst().enumerated() {
                switch c {
                case "a", "A": flags.all = true
                case "n": flags.valueOnly = true
                case "N": flags.namesOnly = true
                case "q": flags.quiet = true
                case "w", "e": break  // Linux: -w marks a write; BSD needs none
                case "f", "p":
                    let rest = String(word.dropFirst(n + 2))
                    if !rest.isEmpty {
                        flags.files.append(rest)
                    } else if c == "f" || (index < arguments.count && !arguments[index].contains("=") && !arguments[index].hasPrefix("-")) {
                        guard index < arguments.count else { throw ToolError("option requires an argument -- f") }
                        flags.files.append(arguments[index])
                        index += 1
                    } else {
                        flags.files.append("/etc/sysctl.conf")
                    }
                    break
                default:
                    throw ToolError("unknown option -- \(c)")
                }
                if c == "f" || c == "p" { break }
            }
        }
        return (flags, operands)
    }

    // MARK: - One operand

    private func handle(_ text: String, _ flags: Flags) -> Bool {
        let operand = SysctlNames.Operand(text)
        guard SysctlNames.isOurs(operand.name) else {
            guard let linux = linuxSysctl else {
                out.printError("sysctl: \(operand.name): no Linux sysctl(8) to ask (install procps)")
                return false
            }
            var args = flags.valueOnly ? ["-n"] : []
            if flags.quiet { args.append("-q") }
            if operand.value != nil { args.append("-w") }
            return ChildProcesses.run(linux, args + [text]) == 0
        }
        do throws(ToolError) {
            if SysctlNames.prefixes.contains(operand.name) {
                guard operand.value == nil else { throw ToolError("\(operand.name): specification is incomplete") }
                return listCarp(flags, under: operand.name)
            }
            if let path = SysctlNames.mappedPath(operand.name) {
                try mapped(operand, path: path, flags)
            } else {
                try carp(operand, flags)
            }
            return true
        } catch {
            if !(flags.quiet && error.message.hasPrefix("unknown oid")) { out.printError("sysctl: \(error)") }
            return false
        }
    }

    private func carp(_ operand: SysctlNames.Operand, _ flags: Flags) throws(ToolError) {
        if operand.name == SysctlNames.carpPrefix + ".stats" {
            guard operand.value == nil else { throw ToolError("\(operand.name): read-only; see netstat -s -p carp") }
            let reply = try carpd.request("stats")
            for (key, value) in reply.pairs where key != "errno" {
                out.print(flags.valueOnly ? value : "\(operand.name).\(key)=\(value)")
            }
            return
        }
        guard GlobalSettings.node(named: operand.name) != nil else { throw ToolError("unknown oid '\(operand.name)'") }
        var pairs = [("name", operand.name)]
        if let value = operand.value {
            guard Int(value) != nil else { throw ToolError("\(operand.name): \(value): invalid integer") }
            pairs.append(("value", value))
        }
        let reply = try carpd.request("sysctl", pairs)
        let value = reply["value"] ?? ""
        if let old = reply["old"] {
            if !flags.quiet { out.print(flags.valueOnly ? "\(old) -> \(value)" : "\(operand.name): \(old) -> \(value)") }
        } else {
            out.print(flags.namesOnly ? operand.name : flags.valueOnly ? value : "\(operand.name)=\(value)")
        }
    }

    private func mapped(_ operand: SysctlNames.Operand, path: String, _ flags: Flags) throws(ToolError) {
        do {
            let old = try ProcSysctl.read(path)
            guard let value = operand.value else {
                return out.print(flags.valueOnly ? old : "\(operand.name)=\(old)")
            }
            try ProcSysctl.write(path, value)
            if !flags.quiet { out.print(flags.valueOnly ? "\(old) -> \(value)" : "\(operand.name): \(old) -> \(value)") }
        } catch {
            throw ToolError("\(operand.name): \(String(cString: strerror(error.errno)))")
        }
    }

    /// carpd's variables, those under `prefix` when given.
    private func listCarp(_ flags: Flags, under prefix: String? = nil) -> Bool {
        do {
            let reply = try carpd.request("sysctl")
            var name: String?
            for (key, value) in reply.pairs {
                if key == "name" { name = value }
                guard key == "value", let name, prefix.map({ name.hasPrefix($0 + ".") }) ?? true else { continue }
                out.print(flags.namesOnly ? name : flags.valueOnly ? value : "\(name)=\(value)")
            }
            return true
        } catch {
            out.printError("sysctl: \(error)")
            return false
        }
    }

    /// sysctl.conf: `name=value` per line; `#` and `;` start comments; blanks around `=` allowed.
    private func load(_ file: String, _ flags: Flags) -> Bool {
        guard let text = try? ProcSysctl.readFile(file) else {
            out.printError("sysctl: \(file): \(String(cString: strerror(errno)))")
            return false
        }
        var ok = true
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.prefix { $0 != "#" && $0 != ";" }.trimmingSpaces
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else {
                out.printError("sysctl: \(file):\(number + 1): expected name=value")
                ok = false
                continue
            }
            line = line[..<eq].trimmingSpaces + "=" + line[line.index(after: eq)...].trimmingSpaces
            ok = handle(line, flags) && ok
        }
        return ok
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
