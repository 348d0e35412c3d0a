/// The little HTTP that carpd's metrics endpoint speaks: HTTP/1.0 and 1.1, GET and HEAD,
/// one request per connection, every reply closes it. Pure: the bytes received so far in,
/// what to do out, so that the parser is tested and fuzzed without a socket.
public enum HTTPExchange {
    /// A request head longer than this is refused (431): Prometheus sends a few hundred bytes.
    public static let headLimit = 8192
    /// The exposition format Prometheus reads.
    public static let metricsType = "text/plain; version=0.0.4; charset=utf-8"

    public enum Step: Equatable {
        /// The head is not complete yet.
        case needMore
        /// Send this and close.
        case answer([UInt8], status: Int)
    }

    /// `received`: everything the client sent so far. `body` renders the metrics (called
    /// only for a GET of `path`).
    public static func step(_ received: [UInt8], path: String, body: () -> String) -> Step {
        let newline = UInt8(ascii: "\n")
        guard let lineEnd = received.firstIndex(of: newline) else {
            return received.count >= headLimit ? refusal(431, "Request Header Fields Too Large") : .needMore
        }
        var line = received[..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let words = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        // A garbage client is answered at its first line, not when (if ever) it ends a head.
        guard words.count == 3, !words[0].isEmpty, words[0].utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }), words[1].hasPrefix("/") else {
            return refusal(400, "Bad Request")
        }
        guard words[2] == "HTTP/1.1" || words[2] == "HTTP/1.0" else {
            return words[2].hasPrefix("HTTP/") ? refusal(505, "HTTP Version Not Supported") : refusal(400, "Bad Request")
        }
        guard words[0] == "GET" || words[0] == "HEAD" else { return refusal(405, "Method Not Allowed", extra: "Allow: GET, HEAD\r\n") }
        guard headEnds(received) else {
            return received.count >= headLimit ? refusal(431, "Request Header Fields Too Large") : .needMore
        }
        let target = words[1].prefix { $0 != "?" && $0 != "#" }
        guard target == path else { return refusal(404, "Not Found", text: "carpd serves metrics at \(path)\n") }
        let content = Array(body().utf8)
        let head = response(200, "OK", type: metricsType, length: content.count)
        return .answer(words[0] == "HEAD" ? head : head + content, status: 200)
    }

    /// The blank line that ends a head ("\r\n\r\n", or "\n\n" from a lenient client).
    static func headEnds(_ bytes: [UInt8]) -> Bool {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        for i in bytes.indices where bytes[i] == lf {
            if i + 1 < bytes.count && bytes[i + 1] == lf { return true }
            if i + 2 < bytes.count && bytes[i + 1] == cr && bytes[i + 2] == lf { return true }
        }
        return false
    }

    static func refusal(_ status: Int, _ reason: String, extra: String = "", text: String? = nil) -> Step {
        let content = Array((text ?? "\(status) \(reason)\n").utf8)
        return .answer(response(status, reason, type: "text/plain; charset=utf-8", length: content.count, extra: extra) + content,
                       status: status)
    }

    static func response(_ status: Int, _ reason: String, type: String, length: Int, extra: String = "") -> [UInt8] {
        Array("HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(type)\r\nContent-Length: \(length)\r\n\(extra)Connection: close\r\n\r\n".utf8)
    }
}
