import CARPControl
import CARPCore
import Glibc

/// A refused control request: errno plus a BSD-style message.
struct ControlFailure: Error {
    let errno: Int32
    let message: String
    init(_ errno: Int32, _ message: String) {
        self.errno = errno
        self.message = message
    }
}

/// A `set=1` request, checked word by word with the BSD ranges before anything changes.
struct SetRequest {
    var ifname: String?
    var carpdev: String?
    var vhid: UInt8?
    var advbase: UInt8?
    var advskew: UInt8?
    var key: CARPKey?
    var state: CARPState?
    var peer: IPv4Address?
    var peer6: IPv6Address?
    var add: [IPPrefix] = []
    var delete: [IPPrefix] = []
    var up: Bool?

    static let keys: Set<String> = ["set", "ifname", "carpdev", "vhid", "advbase", "advskew", "key", "state",
                                    "peer", "peer6", "addr", "deladdr", "up"]

    init(_ message: ControlMessage) throws(ControlFailure) {
        for (name, value) in message.pairs.dropFirst() {
            switch name {
            case "ifname": ifname = try Self.interfaceName(value)
            case "carpdev": carpdev = try Self.interfaceName(value)
            case "vhid": vhid = try Self.number(name, value, 1...255)
            case "advbase": advbase = try Self.number(name, value, 0...255)
            case "advskew": advskew = try Self.number(name, value, 0...Int(VirtualHostConfig.maximumAdvskew))
            case "key": key = CARPKey(passphrase: value)
            case "state":
                guard let s = CARPState(name: value) else { throw ControlFailure(EINVAL, "state \(value): must be init, backup or master") }
                state = s
            case "peer": peer = try Self.peer(value)
            case "peer6": peer6 = try Self.peer6(value)
            case "addr": add.append(try Self.prefix(value))
            case "deladdr": delete.append(try Self.prefix(value))
            case "up":
                guard value == "0" || value == "1" else { throw ControlFailure(EINVAL, "up \(value): must be 0 or 1") }
                up = value == "1"
            default:
                throw ControlFailure(EINVAL, "unknown key '\(name)'")
            }
        }
    }

    /// An earlier, incomplete request for the same carp interface with this one on top.
    func merged(with newer: SetRequest) -> SetRequest {
        var r = self
        r.carpdev = newer.carpdev ?? carpdev
        r.vhid = newer.vhid ?? vhid
        r.advbase = newer.advbase ?? advbase
        r.advskew = newer.advskew ?? advskew
        r.key = newer.key ?? key
        r.state = newer.state ?? state
        r.peer = newer.peer ?? peer
        r.peer6 = newer.peer6 ?? peer6
        r.up = newer.up ?? up
        r.delete += newer.delete
        r.add = add.filter { a in !newer.delete.contains { $0.address == a.address } } + newer.add
        r.delete = r.delete.filter { d in !add.contains { $0.address == d.address } }
        return r
    }

    static func number(_ name: String, _ value: String, _ range: ClosedRange<Int>) throws(ControlFailure) -> UInt8 {
        guard let n = Int(value), value.allSatisfy(\.isNumber) else { throw ControlFailure(EINVAL, "\(name) \(value): invalid") }
        guard n >= range.lowerBound else { throw ControlFailure(EINVAL, "\(name) \(value): too small") }
        guard n <= range.upperBound else { throw ControlFailure(EINVAL, "\(name) \(value): too large") }
        return UInt8(n)
    }

    static func interfaceName(_ value: String) throws(ControlFailure) -> String {
        guard InterfaceName.isValid(value) else {
            throw ControlFailure(EINVAL, "\(value): invalid interface name")
        }
        return value
    }

    static func prefix(_ value: String) throws(ControlFailure) -> IPPrefix {
        guard let p = IPPrefix(value) else { throw ControlFailure(EINVAL, "\(value): bad address") }
        let unicast: Bool
        switch p.address {
        case .v4(let a): unicast = !a.isMulticast && !a.isUnspecified && a.value != .max
        case .v6(let a): unicast = !a.isMulticast && !a.isUnspecified
        }
        guard unicast else { throw ControlFailure(EINVAL, "\(value): not a unicast address") }
        return p
    }

    static func peer(_ value: String) throws(ControlFailure) -> IPv4Address {
        if value == "mcast" { return .carpGroup }
        guard let a = IPv4Address(value) else {
            throw ControlFailure(EINVAL, "peer \(value): only IPv4 addresses are supported")
        }
        guard !a.isMulticast || a == .carpGroup, !a.isUnspecified else { throw ControlFailure(EINVAL, "peer \(value): not a unicast address") }
        return a
    }

    static func peer6(_ value: String) throws(ControlFailure) -> IPv6Address {
        if value == "mcast6" { return .carpGroup }
        guard let a = IPv6Address(value) else { throw ControlFailure(EINVAL, "peer6 \(value): bad address") }
        guard !a.isMulticast || a == .carpGroup, !a.isUnspecified else { throw ControlFailure(EINVAL, "peer6 \(value): not a unicast address") }
        return a
    }
}
