/// The two hashes of OpenBSD's CARP load balancing (doc/balancing.md): the per-packet fold of
/// `balancing ip` and carp_hash of the 4.5-5.8 `balancing arp`. Both must match OpenBSD bit
/// for bit, or an OpenBSD node and a Linux node of one group would both take (or both drop)
/// the same flow.
public enum BalancingHash {
    /// carp_lsdrop's fold: source XOR destination as 32-bit words in network order (the four
    /// words of each IPv6 address folded together), read as a host number (ntohl).
    public static func fold(source: [UInt8], destination: [UInt8]) -> UInt32 {
        precondition(source.count == destination.count && (source.count == 4 || source.count == 16))
        var fold: UInt32 = 0
        for word in stride(from: 0, to: source.count, by: 4) {
            for i in 0..<4 {
                fold ^= UInt32(source[word + i] ^ destination[word + i]) << (24 - 8 * i)
            }
        }
        return fold
    }

    /// Whether this node takes a packet with `fold`: bit `fold % lscount` of `lsmask` (bit k is
    /// the carpnode with the k-th lowest vhid, set while it is MASTER here). No carpnode: none.
    public static func accepts(fold: UInt32, lscount: Int, lsmask: UInt32) -> Bool {
        guard lscount > 0 else { return false }
        return lsmask & (1 << (fold % UInt32(lscount))) != 0
    }

    /// sc_hashkey: SHA-1 of the HMAC's inner pad (key zero-padded to 64, XOR 0x36) then
    /// version and type; its first four words read little-endian (OpenBSD reads them as host
    /// u_int32_t, and every little-endian host agrees), XORed in pairs.
    public static func hashKey(_ key: CARPKey) -> (UInt32, UInt32) {
        let pad = (key.bytes + [UInt8](repeating: 0, count: 64 - key.bytes.count)).map { $0 ^ 0x36 }
        let digest = SHA1.hash(pad + [CARPHeader.version, CARPHeader.typeAdvertisement])
        let word = { (i: Int) -> UInt32 in (0..<4).reduce(0) { $0 | UInt32(digest[4 * i + $1]) << (8 * $1) } }
        return (word(0) ^ word(1), word(2) ^ word(3))
    }

    /// carp_hash: Bob Jenkins' lookup2 mix over the requester's MAC, the hash key and the first
    /// four bytes of the CARP key; `% lscount` picks the carpnode that answers its ARP request.
    public static func carpHash(key: CARPKey, mac: [UInt8]) -> UInt32 {
        let hashKey = hashKey(key), k = key.bytes
        var a: UInt32 = 0x9e37_79b9, b = hashKey.0, c = hashKey.1
        c &+= UInt32(k[3]) << 24 &+ UInt32(k[2]) << 16 &+ UInt32(k[1]) << 8 &+ UInt32(k[0])
        b &+= UInt32(mac[5]) << 8 &+ UInt32(mac[4])
        a &+= UInt32(mac[3]) << 24 &+ UInt32(mac[2]) << 16 &+ UInt32(mac[1]) << 8 &+ UInt32(mac[0])
        mix(&a, &b, &c)
        return c
    }

    /// lookup2's mix: three rounds of subtract, subtract, xor-shift per word.
    static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        for (sa, sb, sc) in [(13, 8, 13), (12, 16, 5), (3, 10, 15)] as [(UInt32, UInt32, UInt32)] {
            a = a &- b &- c; a ^= c >> sa
            b = b &- c &- a; b ^= a << sb
            c = c &- a &- b; c ^= b >> sc
        }
    }
}
