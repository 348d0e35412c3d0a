// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "bsd-carp",
    products: [
        .executable(name: "carpd", targets: ["carpd"]),
        .executable(name: "ifconfig", targets: ["ifconfig"]),
        .executable(name: "sysctl", targets: ["sysctl"]),
        .executable(name: "netstat", targets: ["netstat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure CARP: wire codec, HMAC, state machine, engine. No I/O, no clock, no logging.
        // Addresses, keys, states and the sysctl table: no cryptography, so the tools stay small.
        .target(name: "CARPTypes"),
        .target(name: "CARPCore", dependencies: ["CARPTypes", .product(name: "Crypto", package: "swift-crypto")]),
        // Pure control-socket protocol (key=value lines).
        .target(name: "CARPControl"),
        // libnl-3 / libnl-route-3; include paths come from pkg-config.
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        // C macros and variadics Swift cannot call (CMSG_*, syslog).
        .target(name: "CCarpShim"),
        .target(name: "Netlink", dependencies: ["CNetlink"]),
        .target(name: "LinuxHost", dependencies: ["CCarpShim"]),
        .target(name: "CARPDaemon", dependencies: [
            "CARPCore", "CARPControl", "BSDSyntax", "AdminTools", "Netlink", "LinuxHost", "CCarpShim",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "carpd", dependencies: ["CARPDaemon"]),
        // The BSD words, parsed from one grammar table (pure).
        .target(name: "BSDSyntax", dependencies: ["CARPTypes"]),
        // ifconfig, sysctl and netstat: planning, carpd client, netlink, BSD output.
        .target(name: "AdminTools", dependencies: ["BSDSyntax", "CARPTypes", "CARPControl", "Netlink", "LinuxHost"]),
        .executableTarget(name: "ifconfig", dependencies: ["AdminTools"]),
        .executableTarget(name: "sysctl", dependencies: ["AdminTools"]),
        .executableTarget(name: "netstat", dependencies: ["AdminTools"]),
        .testTarget(name: "BSDSyntaxTests", dependencies: ["BSDSyntax", "CARPTypes"]),
        .testTarget(name: "AdminToolsTests", dependencies: ["AdminTools", "BSDSyntax", "CARPTypes", "CARPControl"],
                    exclude: ["Golden"]),
        .testTarget(name: "CARPCoreTests", dependencies: ["CARPCore"]),
        .testTarget(name: "CARPControlTests", dependencies: ["CARPControl"]),
        .testTarget(name: "CARPDaemonTests", dependencies: ["CARPDaemon", "CARPCore", "CARPControl"]),
    ],
    swiftLanguageModes: [.v6]
)
