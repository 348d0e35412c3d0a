// swift-tools-version:6.1
import PackageDescription

// Release executables are linked fully static (glibc, libstdc++, libnl and the Swift runtime
// inside): no dynamic loader, no relocation of shared libraries at start and only the pages
// a program touches are resident. carpd's RSS with 255 dual-stack vhids goes from 12.9 MB
// (PIE, shared libc and libnl) to 8.8 MB, and the tools start faster (bench/RESULTS.md).
// Nothing here resolves names through NSS, the one part of glibc that needs shared objects.
let staticRelease: [LinkerSetting] = [.unsafeFlags(["-static-executable"], .when(configuration: .release))]

let package = Package(
    name: "bsd-carp",
    products: [
        .executable(name: "carpd", targets: ["carpd"]),
        .executable(name: "ifconfig", targets: ["ifconfig"]),
        .executable(name: "sysctl", targets: ["sysctl"]),
        .executable(name: "netstat", targets: ["netstat"]),
        .executable(name: "netstart", targets: ["netstart"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure CARP: wire codec, HMAC, state machine, engine. No I/O, no clock, no logging.
        // Addresses, keys, states and the sysctl table: no cryptography, so the tools stay small.
        .target(name: "CARPTypes"),
        // HMAC-SHA1 is its own (Wire/SHA1.swift); swift-crypto only cross-checks it in the tests.
        .target(name: "CARPCore", dependencies: ["CARPTypes"]),
        // Pure control-socket protocol (key=value lines, framing).
        .target(name: "CARPControl", dependencies: ["CARPTypes"]),
        // libnl-3 / libnl-route-3; include paths come from pkg-config.
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        // C macros and variadics Swift cannot call (CMSG_*, syslog).
        .target(name: "CCarpShim"),
        .target(name: "Netlink", dependencies: ["CNetlink", "CARPTypes"]),
        // OS primitives: sockets, epoll, signals, processes; the control framing comes from CARPControl.
        .target(name: "LinuxHost", dependencies: ["CCarpShim", "CARPControl", "CARPTypes"]),
        .target(name: "CARPDaemon", dependencies: [
            "CARPCore", "CARPControl", "BSDSyntax", "Netlink", "LinuxHost", "CCarpShim",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "carpd", dependencies: ["CARPDaemon"], linkerSettings: staticRelease),
        // The BSD words, parsed from one grammar table (pure).
        .target(name: "BSDSyntax", dependencies: ["CARPTypes"]),
        // ifconfig, sysctl, netstat and netstart: planning, carpd client, netlink, BSD output.
        .target(name: "AdminTools", dependencies: ["BSDSyntax", "CARPTypes", "CARPControl", "Netlink", "LinuxHost"]),
        .executableTarget(name: "ifconfig", dependencies: ["AdminTools"], linkerSettings: staticRelease),
        .executableTarget(name: "sysctl", dependencies: ["AdminTools"], linkerSettings: staticRelease),
        .executableTarget(name: "netstat", dependencies: ["AdminTools"], linkerSettings: staticRelease),
        .executableTarget(name: "netstart", dependencies: ["AdminTools"], linkerSettings: staticRelease),
        .testTarget(name: "BSDSyntaxTests", dependencies: ["BSDSyntax", "CARPTypes"]),
        .testTarget(name: "AdminToolsTests", dependencies: ["AdminTools", "BSDSyntax", "CARPTypes", "CARPControl"],
                    exclude: ["Golden"]),
        .testTarget(name: "CARPCoreTests", dependencies: ["CARPCore", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "CARPControlTests", dependencies: ["CARPControl", "CARPTypes"]),
        .testTarget(name: "CARPDaemonTests", dependencies: [
            "CARPDaemon", "CARPCore", "CARPControl", "Netlink", "LinuxHost", .product(name: "Logging", package: "swift-log"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)

// `make fuzz` (fuzz/run): one libFuzzer binary over every parser of outside input. Only a
// manifest read with BSD_CARP_FUZZ=1 has it: its entry point is LLVMFuzzerTestOneInput,
// which links only with -sanitize=fuzzer. It drives carpd's Node on the unit tests' fakes.
if Context.environment["BSD_CARP_FUZZ"] == "1" {
    package.targets.append(.executableTarget(
        name: "carp-fuzz",
        dependencies: ["CARPDaemon", "CARPCore", "CARPControl", "BSDSyntax", "LinuxHost", "Netlink",
                       .product(name: "Logging", package: "swift-log")],
        path: "fuzz/Sources"))
    package.products.append(.executable(name: "carp-fuzz", targets: ["carp-fuzz"]))
}
