import CCarpShim
import Glibc

/// /proc/sys access: key like "net/ipv4/conf/eth0/arp_ignore" (the literal interface name).
///
/// Slash-separated keys need no escaping of interface names that contain dots (eth0.100), unlike the
/// dotted sysctl(8) form. Values are plain text; writing needs root (or CAP_NET_ADMIN in a netns).
public enum ProcSysctl {
    /// Reads `/proc/sys/<key>`, with surrounding whitespace (the trailing newline) removed.
    /// - Throws: `SystemError` EINVAL for an empty key or one with a ".." component; otherwise from
    ///   `open` (ENOENT for an unknown key or interface) or `read`.
    public static func read(_ key: String) throws(SystemError) -> String {
        trimmed(try readFile(try procPath(key)))
    }

    /// The whole contents of any file (sysctl.conf), untrimmed.
    public static func readFile(_ path: String) throws(SystemError) -> String {
        let fd = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        if fd < 0 { throw SystemError.last("open \(path)") }
        defer { closeDescriptor(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if count < 0 { throw SystemError.last("read \(path)") }
            if count == 0 { break }
            contents += chunk[0..<count]
        }
        return String(decoding: contents, as: UTF8.self)
    }

    /// Writes `value` to `/proc/sys/<key>` in one `write`, as sysctl(8) does.
    /// - Throws: `SystemError` EINVAL for a bad key; otherwise from `open` (ENOENT, EACCES/EPERM without
    ///   privilege) or `write` (EINVAL for a value the kernel rejects).
    public static func write(_ key: String, _ value: String) throws(SystemError) {
        let path = try procPath(key)
        let fd = retryingOnInterrupt { open(path, O_WRONLY | O_CLOEXEC) }
        if fd < 0 { throw SystemError.last("open \(path)") }
        defer { closeDescriptor(fd) }
        let bytes = Array(value.utf8)
        let count = bytes.withUnsafeBytes { buffer in
            retryingOnInterrupt { Glibc.write(fd, buffer.baseAddress, buffer.count) }
        }
        if count < 0 { throw SystemError.last("write \(path)") }
        // procfs handlers consume a value in one call; a short write means the value was cut.
        if count != bytes.count { throw SystemError(operation: "write \(path)", errno: EIO) }
    }

    /// `/proc/sys/<key>`, refusing keys that could leave /proc/sys.
    static func procPath(_ key: String) throws(SystemError) -> String {
        let components = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, !key.hasPrefix("/"),
              !components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
            throw invalidArgument("sysctl key \"\(key)\"")
        }
        return "/proc/sys/" + key
    }

    /// `text` without leading and trailing spaces, tabs and newlines.
    private static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }
}
