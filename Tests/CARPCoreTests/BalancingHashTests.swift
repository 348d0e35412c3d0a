import Testing
@testable import CARPCore

/// Golden values for OpenBSD's balancing hashes (doc/balancing.md gives their source).
struct BalancingHashTests {
    /// carp_hash with key "secret", from a C transcription linked against OpenSSL and a
    /// Python one, both on little-endian hosts.
    @Test(arguments: [(1, 0x1679_3a4b), (4, 0x9e76_cfbe), (6, 0xdca3_7f7a)] as [(UInt8, UInt32)])
    func carpHashOfARequestersMAC(_ last: UInt8, _ expected: UInt32) {
        #expect(BalancingHash.carpHash(key: CARPKey(passphrase: "secret"), mac: [2, 0, 0, 0, 0, last]) == expected)
    }

    @Test func theFoldIsSymmetricAndReadInNetworkOrder() {
        let client: [UInt8] = [192, 0, 2, 100], vip: [UInt8] = [192, 0, 2, 10]
        #expect(BalancingHash.fold(source: client, destination: vip) == 0x0000_006e)
        #expect(BalancingHash.fold(source: vip, destination: client) == 0x0000_006e)
        let a = IPv6Address("2001:db8::1:2")!.bytes, b = IPv6Address("2001:db8::10")!.bytes
        // 2001:0db8 ^ 2001:0db8 = 0, 0 ^ 0, 0 ^ 0, 0001:0002 ^ 0000:0010
        #expect(BalancingHash.fold(source: a, destination: b) == 0x0001_0012)
    }

    @Test func aPacketGoesToTheMasterOfItsCarpnode() {
        // 0x6e % 2 = 0: carpnode 0 (lowest vhid); % 3 = 2: carpnode 2.
        #expect(BalancingHash.accepts(fold: 0x6e, lscount: 2, lsmask: 0b01))
        #expect(!BalancingHash.accepts(fold: 0x6e, lscount: 2, lsmask: 0b10))
        #expect(BalancingHash.accepts(fold: 0x6e, lscount: 3, lsmask: 0b100))
        #expect(!BalancingHash.accepts(fold: 0x6e, lscount: 0, lsmask: 0xffff_ffff))
    }
}
