import Crypto
import Glibc

// The message of one CARP advertisement's HMAC at 255 dual-stack vhids: version, type, vhid,
// one IPv4 and one IPv6 address, the 8-byte counter (43 bytes); the key is CARP's 20 bytes.
let key = Array("s3cret".utf8) + [UInt8](repeating: 0, count: 14)
let base: [UInt8] = [2, 1, 7] + [198, 51, 100, 7] + [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000

func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Nanoseconds per HMAC over `rounds` messages that differ in their counter, as carpd's do.
func measure(_ name: String, _ body: ([UInt8]) -> [UInt8]) {
    var sink: UInt8 = 0
    var message = base + [UInt8](repeating: 0, count: 8)
    for counter in 0..<1000 { message[message.count - 1] = UInt8(truncatingIfNeeded: counter); sink ^= body(message)[0] }
    let start = now()
    for counter in 0..<rounds {
        withUnsafeBytes(of: UInt64(counter).bigEndian) { message.replaceSubrange((message.count - 8)..., with: $0) }
        sink ^= body(message)[0]
    }
    let perCall = Double(now() - start) / Double(rounds)
    let text = String(Int(perCall.rounded()))
    print(name.padding(toLength: 46) + String(repeating: " ", count: max(0, 6 - text.count)) + text + " ns  (\(sink & 1))")
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

let ours = HMACSHA1(key: key)
let symmetric = SymmetricKey(data: key)
let keyedOnce = HMAC<Insecure.SHA1>(key: symmetric)

print("one CARP HMAC (43-byte message, 20-byte key), \(rounds) rounds each")
measure("carpd SHA1.swift, keyed once") { ours.code(for: $0) }
measure("swift-crypto, keyed once, state copied") { message in
    var h = keyedOnce
    h.update(data: message)
    return Array(h.finalize())
}
measure("swift-crypto authenticationCode (keyed each)") { Array(HMAC<Insecure.SHA1>.authenticationCode(for: $0, using: symmetric)) }
