import BSDSyntax
import CARPControl
import CARPTypes
import Glibc
import LinuxHost

/// Requests to carpd over its control socket.
public struct CarpdClient: Sendable {
    public let socketPath: String

    public init(environment: [String: String]) {
        let path = environment["CARPD_SOCKET"] ?? ""
        socketPath = path.isEmpty ? CarpdConventions.defaultSocket : path
    }

    public init(socketPath: String) { self.socketPath = socketPath }

    /// Sends `command=1` and the pairs; returns the reply, or throws its message.
    public func request(_ command: String, _ pairs: [(String, String)] = []) throws(ToolError) -> ControlMessage {
        try send(ControlMessage([(command, "1")] + pairs.map { (key: $0.0, value: $0.1) }))
    }

    func send(_ message: ControlMessage) throws(ToolError) -> ControlMessage {
        let text: String
        do {
            text = try ControlClient.exchange(path: socketPath, request: message.encoded)
        } catch {
            if [ENOENT, ECONNREFUSED].contains(error.errno) {
                throw ToolError("carpd is not running (no daemon on \(socketPath))")
            }
            throw ToolError("carpd: \(error)")
        }
        let reply: ControlMessage
        do { reply = try ControlMessage.decode(text) } catch { throw ToolError("carpd: malformed reply: \(error)") }
        guard reply.errno == 0 else { throw ToolError(reply.message ?? "carpd: error \(reply.errno)") }
        return reply
    }

    /// The vhid records (all, or those matching `filter`: `ifname`, or `carpdev` and `vhid`),
    /// or nil when carpd does not answer (plain interfaces still list). A reply that does
    /// not read as records is an error, not an empty list.
    public func records(showKey: Bool, filter: [(String, String)] = []) throws(ToolError) -> [VirtualHostRecord]? {
        guard let reply = try? request("get", filter + (showKey ? [("showkey", "1")] : [])) else { return nil }
        do { return try reply.virtualHostRecords() } catch { throw ToolError("carpd: malformed reply: \(error)") }
    }

    /// Carries out the carpd half of an ifconfig plan.
    public func perform(_ operation: IfconfigOperation) throws(ToolError) {
        switch operation {
        case .set(let change): _ = try send(ControlMessage(set: change))
        case .remove(let ifname): _ = try request("remove", [("ifname", ifname)])
        case .pfsync(let change): _ = try send(ControlMessage(pfsync: change))
        case .link, .nd6: break
        }
    }

    /// pfsync0, or nil when there is none (or carpd does not answer).
    public func pfsync() throws(ToolError) -> PfsyncRecord? {
        guard let reply = try? request("pfsync") else { return nil }
        do { return try reply.pfsyncRecord() } catch { throw ToolError("carpd: malformed reply: \(error)") }
    }
}
