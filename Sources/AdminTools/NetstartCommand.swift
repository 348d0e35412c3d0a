import CARPControl
import CARPTypes

/// `netstart [-n] [interface ...]`: carpd reads the named interfaces' configuration files
/// again (`hostname.IF`, their `ifconfig_IF` lines in rc.conf) and applies them, as
/// OpenBSD's `sh /etc/netstart IF` does; with no interface, every interface's. -n prints
/// the lines instead. carpd does the reading: it knows its configuration directory (-f).
public struct NetstartCommand {
    let out: Output
    let carpd: CarpdClient

    public init(out: Output, carpd: CarpdClient) {
        self.out = out
        self.carpd = carpd
    }

    static let usage = "usage: netstart [-n] [interface ...]"

    public func run(_ arguments: [String]) -> Int32 {
        var dryRun = false, names: [String] = []
        for word in arguments {
            if names.isEmpty, word.hasPrefix("-"), word != "-" {
                guard word == "-n" else { return refuse("illegal option -- \(word.dropFirst())") }
                dryRun = true
            } else if InterfaceName.isValid(word) {
                names.append(word)
            } else {
                return refuse("\(word): bad interface name")
            }
        }
        let reply: ControlMessage
        do {
            reply = try carpd.request("netstart", names.map { ("ifname", $0) } + (dryRun ? [("dryrun", "1")] : []))
        } catch {
            out.printError("netstart: \(error)")
            return 1
        }
        // -n: what would be applied (root only: the lines carry the keys).
        if dryRun { for line in reply.values("line") { out.print(line) } }
        let problems = reply.values("problem")
        for problem in problems { out.printError("netstart: \(problem)") }
        return problems.isEmpty ? 0 : 1
    }

    private func refuse(_ message: String) -> Int32 {
        out.printError("netstart: \(message)\n\(Self.usage)")
        return 1
    }
}
