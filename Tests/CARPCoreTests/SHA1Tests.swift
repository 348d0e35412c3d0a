import Crypto
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

    @Test func rfc2202Vectors() {
        let cases: [(key: [UInt8], message: String, code: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"),
            (Array("Jefe".utf8), "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            ([UInt8](repeating: 0xaa, count: 80), "Test Using Larger Than Block-Size Key - Hash Key First",
             "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
        ]
        for (key, message, code) in cases {
            #expect(toHex(HMACSHA1(key: key).code(for: Array(message.utf8))) == code, "\(message)")
        }
    }

    /// Every padding boundary (55, 56, 63, 64, 119, 120 ... bytes) and key lengths around 64.
    @Test func matchesSwiftCryptoOnRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = (0..<Int.random(in: 0...100, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SHA1.hash(message) == Array(Insecure.SHA1.hash(data: message)), "length \(length)")
            let reference = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA1(key: key).code(for: message) == reference, "length \(length), key \(key.count)")
        }
    }
}
