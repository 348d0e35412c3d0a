import BSDSyntax
import CARPControl
import CARPCore
import Glibc
import Netlink

/// The configuration directory (`-f`, default /etc/carp), read when there is no runtime
/// state to restore, i.e. at boot.
extension Node {
    func loadConfiguration() {
        if let text = files.read(options.statePath) {
            replay(text, source: options.statePath)
            log.info("restored the runtime state from \(options.statePath)")
            return
        }
        let (items, problems) = Self.readConfiguration(options.configDirectory, files: files)
        for problem in problems { log.error("\(problem)") }
        if options.interlock {
            // OpenBSD's rc: a booting node must not preempt a working master; lifted with
            // `ifconfig -g carp -carpdemote 128` once the system is up.
            _ = handleControl(ControlMessage([("demote", "1"), ("group", "carp"), ("adjust", "128")]), root: true, persist: false)
        }
        applyBootItems(items)
        saveState()
    }

    /// Every file's items, files with a problem left out whole, and the problems.
    static func readConfiguration(_ directory: String, files: FilePort) -> (items: [BootConfig.Item], problems: [BootConfig.Problem]) {
        var items: [BootConfig.Item] = [], problems: [BootConfig.Problem] = []
        for name in BootConfig.order(files.list(directory)) {
            let path = directory + "/" + name
            guard let text = files.read(path) else {
                problems.append(BootConfig.Problem(file: path, line: 0, message: String(cString: strerror(errno))))
                continue
            }
            let parsed = BootConfig.parse(fileName: name, path: path, contents: text)
            items += parsed.items
            problems += parsed.problems
        }
        return (items, problems)
    }

    /// `carpd -n`: every problem a file has, as far as it can be seen without the kernel.
    static func check(_ directory: String, files: FilePort) -> [BootConfig.Problem] {
        let (items, problems) = readConfiguration(directory, files: files)
        var more: [BootConfig.Problem] = []
        for item in items {
            guard case .ifconfig(let ifname, let request) = item.kind else { continue }
            let carp = IfconfigPlanner.isCarpName(ifname)
            do { _ = try IfconfigPlanner.plan(request, ifname: ifname, context: IfconfigContext(linkExists: !carp, isCarpInterface: carp)) } catch {
                more.append(BootConfig.Problem(file: item.file, line: item.line, message: error.message))
            }
        }
        if case .failure(let problem) = metricsSetting(directory, files: files) { more.append(problem) }
        return problems + more
    }

    /// rc.conf's carpd_metrics (nil when the file or the setting is absent).
    static func metricsSetting(_ directory: String, files: FilePort) -> Result<MetricsListen?, BootConfig.Problem> {
        let path = directory + "/rc.conf"
        guard let text = files.read(path) else { return .success(nil) }
        return BootConfig.rcConfMetrics(path, text)
    }

    /// Applies the items in order; each that fails is logged and returned.
    @discardableResult
    func applyBootItems(_ items: [BootConfig.Item]) -> [BootConfig.Problem] {
        var failures: [BootConfig.Problem] = []
        for item in items {
            do throws(ControlFailure) {
                switch item.kind {
                case .sysctl(let name, let value):
                    try expectSuccess(handleControl(ControlMessage([("sysctl", "1"), ("name", name), ("value", String(value))]), root: true, persist: false))
                case .ifconfig(let ifname, let request):
                    let plan: [IfconfigOperation]
                    do { plan = try IfconfigPlanner.plan(request, ifname: ifname, context: context(for: ifname)) } catch {
                        throw ControlFailure(EINVAL, error.message)
                    }
                    for op in plan { try apply(op, ifname: ifname) }
                }
            } catch {
                let problem = BootConfig.Problem(file: item.file, line: item.line, message: error.message)
                log.error("\(problem)")
                failures.append(problem)
            }
        }
        return failures
    }

    /// One step of a boot file line: the typed change goes to `set` as it is (checked by the
    /// same table as a control request), a carp interface to `remove`, a link change to netlink.
    private func apply(_ op: IfconfigOperation, ifname: String) throws(ControlFailure) {
        let change: LinkChange
        switch op {
        case .set(let vhost):
            _ = try set(try checked(vhost.validated))
            return
        case .remove(let name):
            return try expectSuccess(handleControl(ControlMessage([("remove", "1"), ("ifname", name)]), root: true, persist: false))
        case .link(let linkChange):
            change = linkChange
        case .pfsync(let pfsyncChange):
            _ = try pfsyncRequest(try checked(pfsyncChange.validated))
            return
        case .nd6(let option, let on):
            do { try files.writeSysctl(option.path(ifname), on ? option.sysctl.on : option.sysctl.off) } catch {
                throw ControlFailure(EIO, "\(ifname): \(option.rawValue): \(error)")
            }
            return
        }
        guard let link = try? route.link(named: ifname) else { throw ControlFailure(ENODEV, "\(ifname): no such interface") }
        do {
            try route.apply(change, ifindex: link.index)
        } catch {
            throw ControlFailure(EIO, "\(ifname): \(error.reason)")
        }
    }

    private func expectSuccess(_ reply: ControlMessage) throws(ControlFailure) {
        guard reply.errno != 0 else { return }
        throw ControlFailure(reply.errno, reply.message ?? "error \(reply.errno)")
    }

    private func context(for ifname: String) -> IfconfigContext {
        let link = try? route.link(named: ifname)
        let carp = engine.interfaces[ifname]?.vhosts.first.flatMap { macvlans[$0] }
        var parentVhids: [UInt8: [IPPrefix]] = [:]
        for (key, vif) in macvlans where key.carpdev == ifname && !vif.named {
            parentVhids[key.vhid] = engine.hosts[key]?.machine.config.addresses ?? []
        }
        let linkAddresses = link.map { l in ((try? route.addresses(ifindex: l.index)) ?? []).map(\.prefix) } ?? []
        let pending = engine.interfaces[ifname]?.pending
        return IfconfigContext(linkExists: link != nil, isCarpInterface: carp != nil || pending != nil,
                               carpAddresses: carp.flatMap { engine.hosts[$0.key]?.machine.config.addresses } ?? pending?.add ?? [],
                               parentVhids: parentVhids, linkAddresses: linkAddresses)
    }
}
