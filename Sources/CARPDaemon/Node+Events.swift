import CARPControl
import CARPCore

/// The ordered event stream: a client sends `subscribe=1`, gets `errno=0`, then one block
/// per state change, in the order carpd made them, each with a sequence number, so that a
/// program (conntrackd's commit/flush, say) acts exactly once per transition.
extension Node {
    func publish(_ vif: VirtualInterface, from: CARPState, to: CARPState, reason: TransitionReason) {
        lastTransition[vif.key] = (wallClock(), reason.rawValue)
        transitionCounts[vif.key, default: [:]][TransitionCount(to: to, reason: reason), default: 0] += 1
        eventSequence += 1
        let event = ControlMessage([
            ("event", "state"), ("seq", String(eventSequence)), ("vhid", String(vif.key.vhid)), ("carpdev", vif.key.carpdev),
            ("ifname", vif.ifname), ("from", from.description), ("to", to.description), ("reason", reason.rawValue),
        ])
        publishEvent?(event.encoded)
    }
}

/// One kind of state change, as the metrics count them.
struct TransitionCount: Hashable {
    var to: CARPState
    var reason: TransitionReason
}
