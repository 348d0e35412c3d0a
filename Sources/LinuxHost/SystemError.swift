import CCarpShim
import Glibc

/// A failed system call: what was attempted and the `errno` it returned.
///
/// `description` reads like BSD `err(3)` output, e.g. `"connect /run/carpd/carpd.sock: Connection refused"`.
public struct SystemError: Error, CustomStringConvertible, Equatable {
    /// What was attempted, e.g. `"setsockopt IP_ADD_MEMBERSHIP"` or `"open /proc/sys/net/ipv4/ip_forward"`.
    public let operation: String
    /// The `errno` value (ENOENT, EADDRINUSE, ...).
    public let errno: Int32

    /// Creates an error for `operation` with the given `errno` value.
    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// `"<operation>: <strerror(errno)>"`.
    public var description: String {
        "\(operation): \(String(cString: strerror(errno)))"
    }

    /// The error for `operation` with the calling thread's current `errno`.
    static func last(_ operation: String) -> SystemError {
        SystemError(operation: operation, errno: Glibc.errno)
    }
}

/// Runs `call` again while it fails with EINTR; returns its result (-1 with errno set on failure).
@inline(__always)
func retryingOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result != -1 || Glibc.errno != EINTR { return result }
    }
}

/// Closes `fd` if it is valid; close errors are not actionable, so they are ignored.
func closeDescriptor(_ fd: Int32) {
    if fd >= 0 { _ = Glibc.close(fd) }
}
