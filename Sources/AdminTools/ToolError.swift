/// A failure a tool reports as "<prog>: <message>" with exit status 1.
public struct ToolError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where a tool writes; tests capture it.
public final class Output {
    public private(set) var standard = ""
    public private(set) var error = ""
    let capture: Bool

    public init(capture: Bool) { self.capture = capture }

    public func print(_ line: String) { write(line + "\n", fd: 1) }
    public func printError(_ line: String) { write(line + "\n", fd: 2) }

    private func write(_ text: String, fd: Int32) {
        if capture {
            if fd == 1 { standard += text } else { error += text }
            return
        }
        Self.writeAll(text, to: fd)
    }

    static func writeAll(_ text: String, to fd: Int32) {
        var bytes = ArraySlice(text.utf8)
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { writeBytes(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }
}

import Glibc

private func writeBytes(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { Glibc.write(fd, p, n) }
