import LinuxHost

/// How carpd applies its nftables scripts (balancing.nft and balancing-owners.nft in the
/// runtime directory, each one transaction).
protocol NftablesPort: AnyObject {
    /// What applies them: "libnftables", or the nft command's path; nil when neither is here.
    /// A call, not a property: the first one opens libnftables (2-3 MB resident with the C
    /// library it brings), so ask only when a script is about to be applied.
    func loadEngine() -> String?
    /// Nil when the script applied, else the first line of nftables' complaint.
    func apply(file path: String) -> String?
}

/// libnftables in carpd's own process when the library is installed, opened the first time
/// a script is applied (nodes without balancing never load it); else the nft command, which
/// costs a process and nftables' cache each time (bench/nft: 6-24 ms per takeover against
/// 0.1 ms).
final class Nftables: NftablesPort {
    static let commands = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]
    static let commandTimeout: UInt64 = 5_000_000_000

    private let useLibrary: Bool
    private let processes: ProcessPort
    private let files: FilePort
    private var library: LibNftables?
    private var opened = false

    init(useLibrary: Bool, processes: ProcessPort, files: FilePort) {
        self.useLibrary = useLibrary
        self.processes = processes
        self.files = files
    }

    func loadEngine() -> String? { loadedLibrary() != nil ? "libnftables" : command }

    func apply(file path: String) -> String? {
        if let library = loadedLibrary() { return library.run(file: path).map(Self.firstLine) }
        guard let command else { return "nft not found (install nftables)" }
        do {
            let output = try processes.run(command, ["-f", path], timeout: Self.commandTimeout)
            return output.status == .exited(0) ? nil : Self.firstLine(output.text.isEmpty ? "nft -f failed" : output.text)
        } catch {
            return "\(error)"
        }
    }

    private var command: String? { Self.commands.first(where: files.isExecutable) }

    private func loadedLibrary() -> LibNftables? {
        if useLibrary && !opened {
            opened = true
            library = LibNftables()
        }
        return library
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n").first ?? Substring(text))
    }
}
