import LinuxHost
import BSDSyntax
import CARPTypes
import Glibc
import Netlink

/// `ifconfig`: both BSD dialects over carpd (vhids) and netlink (everything else).
public struct IfconfigCommand {
    let out: Output
    let carpd: CarpdClient
    /// `--libxo json|xml[,pretty]`: the interfaces as a document instead of text.
    private var style = Libxo.Style()

    public init(out: Output, carpd: CarpdClient) {
        self.out = out
        self.carpd = carpd
    }

    /// BSD getopt: leading flags (-a -A -C -k, -g GROUP), then an interface and its words.
    public func run(_ arguments: [String]) -> Int32 {
        var command = self
        do {
            try command.dispatch(arguments)
            return 0
        } catch let error as UsageError {
            out.printError("ifconfig: \(error)")
            return 1
        } catch let error as ToolError {
            out.printError("ifconfig: \(error)")
            return 1
        } catch {
            out.printError("ifconfig: \(error)")
            return 1
        }
    }

    private mutating func dispatch(_ arguments: [String]) throws {
        var args = arguments[...]
        var showKeys = false, listAll = false
        while let first = args.first, first.hasPrefix("-"), first.count > 1, IfconfigGrammar.rule(named: first) == nil {
            args = args.dropFirst()
            if first == "--libxo" || first.hasPrefix("--libxo=") {
                guard first != "--libxo" || !args.isEmpty else { throw UsageError("option requires an argument -- libxo\n" + IfconfigGrammar.usage) }
                style = try Libxo.parse(first == "--libxo" ? args.removeFirst() : String(first.dropFirst("--libxo=".count)))
                continue
            }
            for flag in first.dropFirst() {
                switch flag {
                case "a", "A": listAll = true
                case "k": showKeys = true
                case "C":
                    out.print("carp")
                    return
                case "g":
                    guard let group = args.first else { throw UsageError("option requires an argument -- g\n" + IfconfigGrammar.usage) }
                    return try groupCommand(group, Array(args.dropFirst()))
                case "h":
                    out.print(IfconfigGrammar.usage)
                    return
                default:
                    throw UsageError("unknown option -- \(flag)\n" + IfconfigGrammar.usage)
                }
            }
        }
        guard let ifname = args.first else { return try show(nil, showKeys: showKeys) }
        _ = listAll
        let words = Array(args.dropFirst())
        if words.isEmpty { return try show(ifname, showKeys: showKeys) }
        if words == ["help"] || words == ["--help"] || words == ["-h"] { return out.print(usageWords()) }
        let request = try IfconfigParser.parse(words)
        for warning in request.warnings { out.printError("ifconfig: warning: \(warning)") }
        try IfconfigExecutor(carpd: carpd).apply(request, to: ifname)
    }

    // MARK: - Display

    private func show(_ ifname: String?, showKeys: Bool) throws {
        let route: RouteSocket
        do { route = try RouteSocket() } catch { throw ToolError("netlink: \(error)") }
        guard let ifname else {
            let links = (try? route.links()) ?? []
            let addresses = (try? route.addresses()) ?? []
            let vhosts = try carpd.records(showKey: showKeys) ?? []
            let statuses = InterfaceModel.build(links: links, addresses: addresses, vhosts: vhosts).map(Self.readingND6)
            return emit(statuses, pfsync: try carpd.pfsync(), showKeys: showKeys)
        }
        if PfsyncRecord.isPfsyncName(ifname) {
            guard let pfsync = try carpd.pfsync(), pfsync.ifname == ifname else { throw ToolError("\(ifname): no such interface") }
            return emit([], pfsync: pfsync, showKeys: showKeys)
        }
        // One interface: ask only about it, so the time does not grow with the vhids.
        let vhosts = { (key: String) throws(ToolError) in
            try carpd.records(showKey: showKeys, filter: [(key, ifname)]) ?? []
        }
        let records = try vhosts("ifname")
        let record = records.first
        let link = try? route.link(named: ifname)
        var addresses: [AddressInfo] = [], onDev: [VirtualHostRecord] = []
        if record == nil, let link {
            addresses = (try? route.addresses(ifindex: link.index)) ?? []
            onDev = try vhosts("carpdev")
        }
        guard let s = InterfaceModel.single(record: record, link: link, addresses: addresses, onDev: onDev, carpnodes: records) else {
            return try showGroup(ifname, route: route, showKeys: showKeys)
        }
        emit([Self.readingND6(s)], showKeys: showKeys)
    }

    /// The interfaces as BSD text, or as one libxo document (`interface` list).
    private func emit(_ statuses: [InterfaceStatus], pfsync: PfsyncRecord? = nil, showKeys: Bool) {
        guard style.format != .text else {
            for s in statuses { out.print(StatusRenderer.render(s, showKeys: showKeys)) }
            if let pfsync { out.print(StatusRenderer.render(pfsync)) }
            return
        }
        let values = statuses.map { StatusXO.value($0, showKeys: showKeys) } + (pfsync.map { [StatusXO.value($0)] } ?? [])
        out.print(Libxo.document("interface-information", .object([Libxo.Field("interface", .list(values))]), style: style))
    }

    /// A plain link's FreeBSD `nd6 options=` from its net.ipv6.conf sysctls (none without IPv6).
    static func readingND6(_ s: InterfaceStatus) -> InterfaceStatus {
        guard s.carp == nil else { return s }
        var status = s, bits = ND6Option.performNUD
        for option in ND6Option.allCases {
            guard let value = try? ProcSysctl.read(option.path(s.name)) else { return s }
            if option.isOn(value) { bits |= option.bit }
        }
        status.nd6 = bits
        return status
    }

    // MARK: - Groups

    /// OpenBSD: a name that is no interface but a group shows every member of the group.
    private func showGroup(_ group: String, route: RouteSocket, showKeys: Bool) throws {
        let members = (try carpd.records(showKey: showKeys) ?? []).filter { $0.named && $0.groups.contains(group) }
        guard !members.isEmpty else { throw ToolError("\(group): no such interface") }
        let byName = Dictionary(grouping: members, by: \.ifname)
        emit(byName.keys.sorted().compactMap { name in
            InterfaceModel.single(record: byName[name]?.first, link: try? route.link(named: name), addresses: [], onDev: [],
                                  carpnodes: byName[name] ?? [])
        }, showKeys: showKeys)
    }

    /// `ifconfig -g carp [-]carpdemote [N]`: OpenBSD's group demotion counter.
    private func groupCommand(_ group: String, _ words: [String]) throws {
        guard let verb = words.first else {
            let reply = try carpd.request("demote", [("group", group)])
            return out.print("\(group): carp demote count \(reply["demote"] ?? "0")")
        }
        guard verb == "carpdemote" || verb == "-carpdemote" else {
            throw UsageError.unknownGroupWord(verb)
        }
        guard words.count <= 2 else { throw UsageError("\(words[2]): unexpected argument") }
        let amount = try words.count == 2 ? IfconfigGrammar.demoteAmount(words[1]) : 1
        _ = try carpd.request("demote", [("group", group), ("adjust", String(verb == "carpdemote" ? amount : -amount))])
    }

    private func usageWords() -> String {
        IfconfigGrammar.usage + "\n" + IfconfigGrammar.rules.map { "\t\($0.name)\t\($0.help)" }.joined(separator: "\n")
    }
}

extension UsageError {
    static func unknownGroupWord(_ word: String) -> UsageError {
        UsageError("\"\(word)\": unknown keyword (did you mean \"carpdemote\"?)")
    }
}
