// swift-tools-version:6.1
// bench/hmac: what one CARP HMAC costs through carpd's own SHA-1 (Sources/CARPCore/Wire/
// SHA1.swift, linked here, not copied) and through swift-crypto, keyed per message and keyed
// once. Its own package, so that carpd never links swift-crypto. Run: bench/hmac/run.
import PackageDescription

let package = Package(
    name: "hmac-cost",
    dependencies: [.package(url: "https://github.com/apple/swift-crypto", from: "4.5.2")],
    targets: [
        .executableTarget(name: "hmac-cost", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    ],
    swiftLanguageModes: [.v6]
)
