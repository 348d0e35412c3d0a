import Glibc

// One libFuzzer binary for every parser of outside input; CARP_FUZZ_TARGET picks the
// harness (fuzz/run sets it, one run per target). Each input starts from a fresh node or
// parser, so a crash file replays alone:
//   CARP_FUZZ_TARGET=control .build/fuzz/debug/carp-fuzz CRASHFILE

/// The harnesses, by name: the names of fuzz/corpus/*.
let harnesses: [String: @Sendable ([UInt8]) -> Void] = [
    "advert": fuzzAdvertisement,
    "control": fuzzControl,
    "ifconfig": fuzzIfconfig,
    "bootfile": fuzzBootFile,
    "sysctl": fuzzSysctl,
    "http": fuzzHTTP,
]

nonisolated(unsafe) var selected: (([UInt8]) -> Void)?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if selected == nil {
        let name = getenv("CARP_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let harness = harnesses[name] else {
            let message = "carp-fuzz: CARP_FUZZ_TARGET must be one of \(harnesses.keys.sorted().joined(separator: ", "))\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            exit(2)
        }
        selected = harness
    }
    selected?(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// Input split into records at a separator byte (a line, a packet).
func records(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: "\n")) -> [[UInt8]] {
    bytes.split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
}

func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

// SwiftPM links an executable with main = <module>_main; libFuzzer's own main is then
// unreachable, so this one hands over to libFuzzer's driver (compiler-rt, LLVM 11 and up).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("carp_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, arguments = argv
    return runDriver(&count, &arguments, fuzzOne)
}
