import CARPCore
import CCarpShim
import Glibc
import LinuxHost
import Netlink

extension RouteSocket: RoutePort {}

extension ChildProcesses: ProcessPort {}

/// The packet socket for frames and the two raw sockets of protocol 112.
final class LinuxPackets: PacketPort {
    let frames: FrameSocket
    let inet: CARPSocket
    let inet6: CARPSocket
    let neighbors: NeighborSocket

    init() throws(SystemError) {
        frames = try FrameSocket()
        inet = try CARPSocket(family: .inet)
        inet6 = try CARPSocket(family: .inet6)
        neighbors = try NeighborSocket(requests: NeighborReplies.filter)
    }

    func listenNeighbors(_ on: Bool) throws(SystemError) { try neighbors.listen(on) }

    func neighborMembership(_ mac: [UInt8], ifindex: Int32, join: Bool) throws(SystemError) {
        try neighbors.membership(mac, ifindex: ifindex, join: join)
    }

    func holdUnicast(_ mac: [UInt8], ifindex: Int32, _ hold: Bool) throws(SystemError) {
        try frames.holdUnicast(mac, ifindex: ifindex, hold)
    }

    private func socket(_ family: AddressFamily) -> CARPSocket { family == .inet ? inet : inet6 }

    func send(frames batch: [OutgoingFrame]) -> [SystemError?] { frames.send(batch) }

    func send(datagram: [UInt8], family: AddressFamily, to destination: [UInt8], ifindex: Int32, source: [UInt8]?) throws(SystemError) {
        try socket(family).send(datagram, to: destination, ifindex: ifindex, source: source)
    }

    func join(_ family: AddressFamily, ifindex: Int32) throws(SystemError) { try socket(family).join(ifindex: ifindex) }

    func setDSCP(_ dscp: Int) throws(SystemError) {
        try inet.setDSCP(dscp)
        try inet6.setDSCP(dscp)
    }
}

/// Files and /proc/sys.
final class LinuxFiles: FilePort {
    func read(_ path: String) -> String? { try? ProcSysctl.readFile(path) }

    func write(_ text: String, to path: String) throws(FileError) {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: temporary, errno: errno) }
        var bytes = ArraySlice(text.utf8)
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw FileError(path: temporary, errno: e)
            }
            bytes = bytes.dropFirst(n)
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else { throw FileError(path: path, errno: errno) }
    }

    func remove(_ path: String) { unlink(path) }

    func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }

    func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    func readSysctl(_ key: String) throws(SystemError) -> String { try ProcSysctl.read(key) }
    func writeSysctl(_ key: String, _ value: String) throws(SystemError) { try ProcSysctl.write(key, value) }
}
