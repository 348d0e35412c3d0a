/// HMAC-SHA1 over: 0x02 0x01, [OpenBSD: a carp interface's own lladdr], vhid, the vhid's
/// IPv4 addresses sorted ascending, its IPv6 addresses sorted bytewise (each once), then the
/// 8 counter bytes as on the wire.
///
/// OpenBSD keeps two precomputed contexts: with and without scope-embedded (link-local)
/// IPv6 addresses. It sends without them and accepts either; so do we.
public struct CARPAuthenticator: Sendable {
    public let key: CARPKey
    private let hmac: HMACSHA1
    private let withLinkLocal: [UInt8]
    private let withoutLinkLocal: [UInt8]

    /// `lladdr`: the 6 bytes OpenBSD hashes between type and vhid when a carp interface's
    /// lladdr was set to something other than the virtual MAC and the carpdev's own MAC
    /// (carp_hmac_prepare_ctx); nil otherwise, and always for FreeBSD.
    public init(key: CARPKey, vhid: UInt8, addresses: [IPAddress], lladdr: [UInt8]? = nil) {
        self.key = key
        hmac = HMACSHA1(key: key.bytes)
        var v4 = Set<IPv4Address>(), v6 = Set<IPv6Address>()
        for address in addresses {
            switch address {
            case .v4(let a): v4.insert(a)
            case .v6(let a): v6.insert(a)
            }
        }
        // The BSD selection loop can never pick all-zeros or all-ones.
        let sorted4 = v4.filter { $0.value != 0 && $0.value != .max }.sorted()
        let sorted6 = v6.filter { !$0.isUnspecified && !$0.bytes.allSatisfy { $0 == 0xff } }.sorted()
        let prefix: [UInt8] = [CARPHeader.version, CARPHeader.typeAdvertisement] + (lladdr ?? []) + [vhid]
            + sorted4.flatMap(\.bytes)
        withLinkLocal = prefix + sorted6.flatMap(\.bytes)
        withoutLinkLocal = prefix + sorted6.filter { !$0.isScopeEmbedded }.flatMap(\.bytes)
    }

    /// The digest we send: OpenBSD's context without link-local addresses.
    public func digest(counter: [UInt8]) -> [UInt8] { hmac.code(for: withoutLinkLocal + counter) }

    /// The digest with link-local addresses included (FreeBSD when one is on the vhid; OpenBSD ctx 0).
    public func digestWithLinkLocal(counter: [UInt8]) -> [UInt8] { hmac.code(for: withLinkLocal + counter) }

    /// Accepts either form, compared in constant time. The second HMAC is computed only
    /// when the vhid has link-local addresses (otherwise both forms are the same message).
    public func verify(_ header: CARPHeader) -> Bool {
        let counter = header.counterBytes
        if Self.constantTimeEqual(digest(counter: counter), header.digest) { return true }
        guard withLinkLocal != withoutLinkLocal else { return false }
        return Self.constantTimeEqual(digestWithLinkLocal(counter: counter), header.digest)
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
