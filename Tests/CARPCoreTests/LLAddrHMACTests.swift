import Crypto
import Testing
@testable import CARPCore

/// OpenBSD hashes a hand-set carp lladdr between type and vhid (carp_hmac_prepare_ctx);
/// checked against swift-crypto's HMAC over the message built by hand.
struct LLAddrHMACTests {
    @Test func theLLAddrGoesBetweenTypeAndVhid() {
        let key = CARPKey(passphrase: "s3cret"), mac: [UInt8] = [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]
        let counter: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 7]
        let with = CARPAuthenticator(key: key, vhid: 251, addresses: [IPAddress("192.0.2.1")!], lladdr: mac)
        let message = [2, 1] + mac + [251, 192, 0, 2, 1] + counter
        let reference = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key.bytes)))
        #expect(with.digest(counter: counter) == reference)
        let without = CARPAuthenticator(key: key, vhid: 251, addresses: [IPAddress("192.0.2.1")!])
        #expect(without.digest(counter: counter) != reference)
    }
}
