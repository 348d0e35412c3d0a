/// How messages travel on the control socket (doc/control-protocol.md): each one ends with an
/// empty line, a request may be at most 64 KiB, and a reply says whether its connection stays
/// open for the event stream. The socket code in LinuxHost only moves the bytes.
public enum ControlFraming {
    /// Requests longer than this are refused whole.
    public static let maximumRequestLength = ControlMessage.maximumSize

    /// Index just past the first empty line of `bytes` (a message's end), or nil while
    /// incomplete. A message that is only "\n" is an empty message.
    public static func endOfMessage(_ bytes: [UInt8]) -> Int? {
        let newline = UInt8(ascii: "\n")
        if bytes.first == newline { return 1 }
        var index = 1
        while index < bytes.count {
            if bytes[index] == newline && bytes[index - 1] == newline { return index + 1 }
            index += 1
        }
        return nil
    }
}

/// A reply to one request, and whether the connection then stays open for events: the
/// handler decides from the request it parsed, the transport never reads request text.
public struct ControlReply: Sendable {
    public var text: String
    public var keepOpen: Bool

    public init(_ text: String, keepOpen: Bool = false) {
        self.text = text
        self.keepOpen = keepOpen
    }
}
