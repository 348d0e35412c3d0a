/// SHA-1 (FIPS 180-4 §6.1) and HMAC-SHA1 (RFC 2104), just what CARP's authentication needs.
///
/// Written here rather than taken from swift-crypto: keyed once per configuration (the two
/// padded-key blocks absorbed ahead of time), a CARP HMAC is two compressions, ~0.5 µs
/// against ~0.7 µs for swift-crypto keyed once and ~1.6 µs keyed per message (bench/hmac,
/// bench/RESULTS.md), and carpd does not link swift-crypto (its static binary went from 38
/// to 18 MB). The tests check it against the FIPS and RFC 2202 vectors, keys around the block
/// length, and swift-crypto on seeded random inputs (doc/protocol.md §6).
enum SHA1 {
    /// The chaining words H0...H4 between blocks.
    struct State: Equatable, Sendable {
        var h0: UInt32 = 0x6745_2301, h1: UInt32 = 0xEFCD_AB89, h2: UInt32 = 0x98BA_DCFE
        var h3: UInt32 = 0x1032_5476, h4: UInt32 = 0xC3D2_E1F0
    }

    static let blockLength = 64
    static let digestLength = 20

    /// The digest of `message`.
    static func hash(_ message: [UInt8]) -> [UInt8] { finish(message, from: State(), absorbed: 0) }

    /// Hashes `message` as the continuation of `state`, which has taken `absorbed` bytes
    /// (a multiple of 64) already, and pads and finishes it.
    static func finish(_ message: [UInt8], from state: State, absorbed: Int) -> [UInt8] {
        var state = state
        let fullBlocks = message.count / blockLength
        message.withUnsafeBytes { bytes in
            for block in 0..<fullBlocks {
                compress(&state, UnsafeRawBufferPointer(rebasing: bytes[(block * blockLength)...]))
            }
        }
        // The rest, 0x80, zeros, and the length in bits: one block, or two when fewer than
        // nine bytes are left in the first.
        let rest = message[(fullBlocks * blockLength)...]
        let tailLength = rest.count + 9 <= blockLength ? blockLength : 2 * blockLength
        let bits = UInt64(absorbed + message.count) &* 8
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: tailLength) { tail in
            _ = tail.initialize(repeating: 0)
            _ = tail.initialize(from: rest)
            tail[rest.count] = 0x80
            for index in 0..<8 { tail[tailLength - 1 - index] = UInt8(truncatingIfNeeded: bits >> (8 * index)) }
            let raw = UnsafeRawBufferPointer(tail)
            compress(&state, raw)
            if tailLength > blockLength { compress(&state, UnsafeRawBufferPointer(rebasing: raw[blockLength...])) }
        }
        return [UInt8](unsafeUninitializedCapacity: digestLength) { digest, count in
            let raw = UnsafeMutableRawBufferPointer(digest)
            raw.storeBytes(of: state.h0.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: state.h1.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: state.h2.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: state.h3.bigEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: state.h4.bigEndian, toByteOffset: 16, as: UInt32.self)
            count = digestLength
        }
    }

    /// Absorbs one 64-byte block (the first 64 bytes of `block`) into `state`. One loop per
    /// round function: a switch per step cost a third of the time.
    static func compress(_ state: inout State, _ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for t in 0..<16 { w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
            for t in 16..<80 { w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var (a, b, c, d, e) = (state.h0, state.h1, state.h2, state.h3, state.h4)
            @inline(__always) func step(_ f: UInt32, _ k: UInt32, _ word: UInt32) {
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ word
                (e, d, c, b, a) = (d, c, rotl(b, 30), a, temp)
            }
            for t in 0..<20 { step((b & c) | (~b & d), 0x5A82_7999, w[t]) }
            for t in 20..<40 { step(b ^ c ^ d, 0x6ED9_EBA1, w[t]) }
            for t in 40..<60 { step((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, w[t]) }
            for t in 60..<80 { step(b ^ c ^ d, 0xCA62_C1D6, w[t]) }
            state.h0 &+= a
            state.h1 &+= b
            state.h2 &+= c
            state.h3 &+= d
            state.h4 &+= e
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
}

/// HMAC-SHA1 with the key's inner and outer blocks absorbed once.
struct HMACSHA1: Sendable {
    private let inner: SHA1.State
    private let outer: SHA1.State

    init(key: [UInt8]) {
        var block = key.count > SHA1.blockLength ? SHA1.hash(key) : key
        block += [UInt8](repeating: 0, count: SHA1.blockLength - block.count)
        inner = Self.absorb(block.map { $0 ^ 0x36 })
        outer = Self.absorb(block.map { $0 ^ 0x5C })
    }

    /// The 20-byte authentication code of `message`.
    func code(for message: [UInt8]) -> [UInt8] {
        let innerDigest = SHA1.finish(message, from: inner, absorbed: SHA1.blockLength)
        return SHA1.finish(innerDigest, from: outer, absorbed: SHA1.blockLength)
    }

    private static func absorb(_ block: [UInt8]) -> SHA1.State {
        var state = SHA1.State()
        block.withUnsafeBytes { SHA1.compress(&state, $0) }
        return state
    }
}
