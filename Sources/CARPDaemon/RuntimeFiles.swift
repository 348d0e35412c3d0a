import Glibc

/// Files carpd keeps beside its control socket. They live on /run (a tmpfs), so they
/// survive a restart of carpd but not a reboot, like a BSD kernel's runtime state.
struct RuntimeFiles {
    let directory: String

    /// The configuration as control requests, replayed at the next start.
    var state: String { directory + "/carpd.state" }
    /// The sysctl values carpd changed, with their originals, for restore after a crash.
    var savedSysctls: String { directory + "/sysctl.saved" }

    /// Writes `text` to `path` atomically (a temporary file renamed over it), mode 0600:
    /// the state holds passphrases.
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

    func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func remove(_ path: String) { unlink(path) }
}

struct FileError: Error, CustomStringConvertible {
    let path: String
    let errno: Int32
    var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
