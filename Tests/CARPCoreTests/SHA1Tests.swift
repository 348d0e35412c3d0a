import Crypto
import Glibc
import Testing
@testable import CARPCore

/// CARP's own SHA-1 / HMAC-SHA1 against the published vectors and against swift-crypto.
struct SHA1Tests {
    @Test func fipsVectors() {
        #expect(toHex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(toHex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(toHex(SHA1.hash(Array(twoBlocks.utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(toHex(SHA1.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
            == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// All seven HMAC-SHA-1 cases of RFC 2202 §3 (case 5's full code; the RFC also lists
    /// its first 96 bits).
    @Test func rfc2202Vectors() {
        let cases: [(key: [UInt8], message: [UInt8], code: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b617318655057264e28bc0b6fb378c8ef146be00"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"),
            (Array(1...25), [UInt8](repeating: 0xcd, count: 50), "4c9007f4026250c6bc8414f9bf50c86c2d7235da"),
            ([UInt8](repeating: 0x0c, count: 20), Array("Test With Truncation".utf8), "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"),
            ([UInt8](repeating: 0xaa, count: 80), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
            ([UInt8](repeating: 0xaa, count: 80),
             Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
             "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"),
        ]
        for (number, (key, message, code)) in cases.enumerated() {
            #expect(toHex(HMACSHA1(key: key).code(for: message)) == code, "RFC 2202 case \(number + 1)")
        }
    }

    /// Keys around the block length: none, CARP's 20 bytes, one short of a block, a block,
    /// one over (hashed first). Codes computed with Python's hmac module (doc/protocol.md).
    @Test(arguments: [
        (0, "c81f0894ea64b2c05ae9dd29d4065beddae17131"), (20, "a8896964e3abb66d28beb8ad91f046d7a85b85fa"),
        (63, "8ba7ce43899a6b7e98808e72cec57228bc70955a"), (64, "14fec70d5dae0d2b37fdf473f9fbb2e31d0ef998"),
        (65, "3223c41a8d6da7b10aa9e29319032f3c255afb73"),
    ])
    func keyLengthsAroundTheBlock(_ length: Int, _ code: String) {
        let key = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        #expect(toHex(HMACSHA1(key: key).code(for: Array("CARP vhid 1 192.0.2.10".utf8))) == code)
    }

    /// Every padding boundary (55, 56, 63, 64, 119, 120 ... bytes) and key lengths around 64,
    /// from a seeded generator: a failure names its seed, and `CARP_SHA1_SEED=N` replays it.
    @Test func matchesSwiftCryptoOnRandomInputs() {
        let seed = getenv("CARP_SHA1_SEED").flatMap { UInt64(String(cString: $0)) } ?? 0x5EED_CA4B
        var generator = SplitMix(state: seed)
        for length in 0...200 {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = (0..<Int.random(in: 0...100, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SHA1.hash(message) == Array(Insecure.SHA1.hash(data: message)), "seed \(seed), length \(length)")
            let reference = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA1(key: key).code(for: message) == reference, "seed \(seed), length \(length), key \(key.count)")
        }
    }
}
