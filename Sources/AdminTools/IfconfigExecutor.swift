import BSDSyntax
import CARPControl
import CARPTypes
import LinuxHost
import Netlink

/// Gathers what the planner needs, then performs its plan: carpd requests over the
/// control socket, plain-link changes over netlink.
struct IfconfigExecutor {
    let carpd: CarpdClient

    func apply(_ r: IfconfigRequest, to ifname: String) throws {
        let route: RouteSocket
        do { route = try RouteSocket() } catch { throw ToolError("netlink: \(error)") }
        let link = try? route.link(named: ifname)
        // Only a line that involves CARP needs carpd: plain addresses work without it.
        let needsCarpd = r.hasCARPParameters || r.create || r.destroy || IfconfigPlanner.isCarpName(ifname)
            || PfsyncRecord.isPfsyncName(ifname)
            || r.addressAction == .delete
        let vhosts = needsCarpd || link == nil ? try carpd.records(showKey: false) : nil
        if vhosts == nil && (r.hasCARPParameters || IfconfigPlanner.isCarpName(ifname) && link == nil) {
            _ = try carpd.request("get")  // throws "carpd is not running"
        }
        let carp = vhosts?.first { $0.ifname == ifname }
        var parentVhids: [UInt8: [IPPrefix]] = [:]
        for v in vhosts ?? [] where v.carpdev == ifname && !v.named { parentVhids[v.vhid] = v.addresses }
        let linkAddresses = link.map { l in ((try? route.addresses(ifindex: l.index)) ?? []).map(\.prefix) } ?? []
        let context = IfconfigContext(linkExists: link != nil, isCarpInterface: carp != nil, carpAddresses: carp?.addresses ?? [],
                                      parentVhids: parentVhids, linkAddresses: linkAddresses)
        for op in try IfconfigPlanner.plan(r, ifname: ifname, context: context) {
            try perform(op, link: link, route: route)
        }
    }

    private func perform(_ op: IfconfigOperation, link: LinkInfo?, route: RouteSocket) throws {
        switch op {
        case .set, .remove, .pfsync:
            try carpd.perform(op)
        case .link(let change):
            guard let link else { return }
            do { try route.apply(change, ifindex: link.index) } catch { throw ToolError("\(link.name): \(error.reason)") }
        case .nd6(let option, let on):
            guard let link else { return }
            do { try ProcSysctl.write(option.path(link.name), on ? option.sysctl.on : option.sysctl.off) } catch {
                throw ToolError("\(link.name): \(option.rawValue): \(error)")
            }
        }
    }
}
