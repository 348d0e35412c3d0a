import CARPTypes

/// Words to request, in one pass over the grammar table.
public enum IfconfigParser {
    public static func parse(_ words: [String]) throws(UsageError) -> IfconfigRequest {
        var request = IfconfigRequest()
        var index = 0
        var family: AddressFamily?
        while index < words.count {
            let word = words[index]
            if let message = IfconfigGrammar.notYetSupported[word] { throw UsageError(message) }
            // FreeBSD: `inet`/`inet6` not followed by an address only names the family
            // (`ifconfig_em0_alias0="inet vhid 1 pass x alias 192.0.2.50/32"`).
            if word == "inet" || word == "inet6", index + 1 >= words.count || IPPrefix(words[index + 1]) == nil,
               index + 1 >= words.count || IfconfigGrammar.rule(named: words[index + 1]) != nil
                   || IfconfigGrammar.notYetSupported[words[index + 1]] != nil {
                guard index + 1 < words.count else { throw UsageError.requiresArgument(word) }
                family = word == "inet" ? .inet : .inet6
                index += 1
                continue
            }
            if let rule = IfconfigGrammar.rule(named: word) {
                guard rule.argument != .none else {
                    try rule.apply(&request, nil)
                    index += 1
                    continue
                }
                guard index + 1 < words.count else { throw UsageError.requiresArgument(word) }
                try rule.apply(&request, words[index + 1])
                index += 2
                if word == "inet" { index = bareMaskAndBroadcast(words, from: index, into: &request) }
                if word == "inet6" { index = barePrefixLength(words, from: index, into: &request) }
                continue
            }
            // OpenBSD tries an unknown word as an address.
            if let prefix = IPPrefix(word) {
                if let family, prefix.family != family {
                    throw UsageError("\(word): not an \(family == .inet ? "IPv4" : "IPv6") address")
                }
                request.addresses.append(prefix)
                index += 1
                index = prefix.family == .inet ? bareMaskAndBroadcast(words, from: index, into: &request)
                                               : barePrefixLength(words, from: index, into: &request)
                continue
            }
            throw UsageError.unknown(word, candidates: IfconfigGrammar.rules.map(\.name) + IfconfigGrammar.notYetSupported.keys)
        }
        return request
    }

    /// OpenBSD's `inet6 ADDR 64` (hostname.if(5), ifconfig): a prefix length straight after
    /// an IPv6 address.
    private static func barePrefixLength(_ words: [String], from index: Int, into request: inout IfconfigRequest) -> Int {
        guard index < words.count, words[index].allSatisfy(\.isNumber), let length = Int(words[index]), (0...128).contains(length),
              request.addresses.last?.family == .inet6 else { return index }
        request.addresses[request.addresses.count - 1].length = UInt8(length)
        return index + 1
    }

    /// hostname.if(5) writes `inet ADDR MASK BROADCAST|NONE`: a netmask straight after the
    /// address, then a broadcast address or NONE.
    private static func bareMaskAndBroadcast(_ words: [String], from start: Int, into request: inout IfconfigRequest) -> Int {
        var index = start
        guard index < words.count, IfconfigGrammar.looksLikeNetmask(words[index]),
              let length = try? IfconfigGrammar.netmaskLength(words[index]) else { return index }
        request.addresses[request.addresses.count - 1].length = length
        index += 1
        if index < words.count, words[index] == "NONE" || IPv4Address(words[index]) != nil { index += 1 }
        return index
    }
}
