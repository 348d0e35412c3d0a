import CARPCore

/// The engine's actions waiting to be carried out, per vhid in the order they came. They
/// leave in waves: first every vhid's leading frames (and notices), then every vhid's
/// leading route changes, and again, so that each vhid's actions keep their order while
/// the route changes of many vhids go to the kernel in one batch.
struct EffectQueue {
    private var queues: [VirtualHostKey: [CARPAction]] = [:]
    /// Keys in order of their first queued action, so waves are deterministic.
    private var order: [VirtualHostKey] = []

    var isEmpty: Bool { order.isEmpty }

    mutating func append(_ key: VirtualHostKey, _ action: CARPAction) {
        if queues[key] == nil { order.append(key) }
        queues[key, default: []].append(action)
    }

    /// Takes every vhid's leading actions that are (`routes`) or are not route changes.
    mutating func takeLeading(routes: Bool) -> [(key: VirtualHostKey, actions: [CARPAction])] {
        var taken: [(key: VirtualHostKey, actions: [CARPAction])] = []
        for key in order {
            guard let queue = queues[key] else { continue }
            let count = queue.prefix { $0.changesRoutes == routes }.count
            guard count > 0 else { continue }
            taken.append((key, Array(queue.prefix(count))))
            queues[key] = Array(queue.dropFirst(count))
        }
        for key in order where queues[key]?.isEmpty == true { queues[key] = nil }
        order.removeAll { queues[$0] == nil }
        return taken
    }
}

extension CARPAction {
    /// Carried out over netlink (the addresses and the link of the virtual interface).
    var changesRoutes: Bool {
        switch self {
        case .claim, .release: true
        case .transmit, .announce, .stateChanged, .masterReady: false
        }
    }
}
