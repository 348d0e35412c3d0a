import CARPControl
@testable import CARPDaemon

/// The control socket: bytes cut into messages as the server does (each ends with an empty
/// line), every message served to a node on fakes, as root, or as an ordinary user when
/// the input starts with "~". The reply must always decode: a client depends on it.
func fuzzControl(_ input: [UInt8]) {
    let t = TestNode(hook: true)
    let uid: UInt32 = input.first == UInt8(ascii: "~") ? 65534 : 0
    var rest = Array(input.dropFirst(uid == 0 ? 0 : 1))
    while !rest.isEmpty {
        let end = ControlFraming.endOfMessage(rest) ?? rest.count
        let message = text(rest.prefix(end))
        rest.removeFirst(end)
        guard message.utf8.count <= ControlFraming.maximumRequestLength else { continue }
        let reply = t.node.serveControl(message, uid: uid)
        guard (try? ControlMessage.decode(reply.text)) != nil else { fatalError("undecodable reply to \(message.debugDescription): \(reply.text.debugDescription)") }
        t.node.carryOut()
        t.advance(250_000_000, turns: 16)
    }
}
