import CCarpShim
import Glibc

// Pieces shared by ControlServer and ControlClient: the unix socket address and non-blocking
// reads and writes. The framing is CARPControl's (ControlFraming).

enum ControlTransport {
    /// `sockaddr_un` for `path`; ENAMETOOLONG (reported for `operation`) if it does not fit sun_path.
    static func unixAddress(_ path: String, operation: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {  // room for the terminating NUL
            throw SystemError(operation: operation, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    /// Runs `call` with `address` as the `sockaddr` pointer and length that bind/connect take.
    static func withSockaddr<Result>(
        _ address: sockaddr_un, _ call: (UnsafePointer<sockaddr>, socklen_t) -> Result
    ) -> Result {
        withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                call(sockaddrPointer, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// Sends as much of `bytes` as the socket takes without blocking; returns the count or -1/errno.
    /// MSG_NOSIGNAL: a peer that went away yields EPIPE instead of a process-killing SIGPIPE.
    static func sendSome(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { buffer in
            retryingOnInterrupt { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    /// One `recv` of up to 4096 bytes appended to `buffer`; returns the count (0 = EOF) or -1/errno.
    static func receiveSome(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { bytes in
            retryingOnInterrupt { Glibc.recv(fd, bytes.baseAddress, bytes.count, 0) }
        }
        if count > 0 { buffer += chunk[0..<count] }
        return count
    }
}
