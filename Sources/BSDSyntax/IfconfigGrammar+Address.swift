import CARPTypes

extension IfconfigGrammar {
    static let addressRules: [WordRule] = [
        WordRule("inet", .address, "IPv4 address: ADDR[/len] [netmask MASK]") { r, v throws(UsageError) in
            r.addresses.append(try address(v!, family: .inet))
        },
        WordRule("inet6", .address, "IPv6 address: ADDR[/len] [prefixlen N]") { r, v throws(UsageError) in
            r.addresses.append(try address(v!, family: .inet6))
        },
        WordRule("netmask", .address, "IPv4 netmask of the address, dotted or hex") { r, v throws(UsageError) in
            try setLength(&r, try netmaskLength(v!), word: "netmask", family: .inet)
        },
        WordRule("prefixlen", .number, "prefix length of the address") { r, v throws(UsageError) in
            let family = r.addresses.last?.family ?? .inet6
            let n = try number("prefixlen", v!, 0...(family == .inet ? 32 : 128))
            try setLength(&r, UInt8(n), word: "prefixlen", family: family)
        },
        WordRule("broadcast", .address, "IPv4 broadcast address (derived from the netmask on Linux)") { _, v throws(UsageError) in
            guard v == "NONE" || IPv4Address(v!) != nil else { throw UsageError("broadcast \(v!): bad address") }
        },
        WordRule("alias", .none, "add the address instead of replacing the first one") { r, _ throws(UsageError) in r.addressAction = .add },
        WordRule("add", .none, "same as alias") { r, _ throws(UsageError) in r.addressAction = .add },
        WordRule("-alias", .none, "remove the address") { r, _ throws(UsageError) in r.addressAction = .delete },
        WordRule("delete", .none, "same as -alias") { r, _ throws(UsageError) in r.addressAction = .delete },
        WordRule("remove", .none, "same as -alias") { r, _ throws(UsageError) in r.addressAction = .delete },
    ]

    static func address(_ text: String, family: AddressFamily?) throws(UsageError) -> IPPrefix {
        guard let prefix = IPPrefix(text) else { throw UsageError("\(text): bad address") }
        if let family, prefix.family != family {
            throw UsageError("\(text): not an \(family == .inet ? "IPv4" : "IPv6") address")
        }
        return prefix
    }

    static func setLength(_ r: inout IfconfigRequest, _ length: UInt8, word: String, family: AddressFamily) throws(UsageError) {
        guard let last = r.addresses.last, last.family == family else { throw UsageError("\(word): no address given before it") }
        r.addresses[r.addresses.count - 1].length = length
    }

    /// 255.255.255.0 or 0xffffff00; the ones must be contiguous.
    static func netmaskLength(_ text: String) throws(UsageError) -> UInt8 {
        var value: UInt32?
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            value = UInt32(text.dropFirst(2), radix: 16)
        } else {
            value = IPv4Address(text)?.value
        }
        guard let mask = value, mask == 0 || (~mask & (~mask &+ 1)) == 0 else { throw UsageError("netmask \(text): bad value") }
        return UInt8(mask.nonzeroBitCount)
    }

    /// A bare word that reads as a netmask: a dotted quad or hex with contiguous ones.
    static func looksLikeNetmask(_ text: String) -> Bool {
        guard text.hasPrefix("0x") || text.hasPrefix("255.") || text == "0.0.0.0" else { return false }
        return (try? netmaskLength(text)) != nil
    }
}
