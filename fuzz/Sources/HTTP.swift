import LinuxHost

/// The metrics endpoint's HTTP: the input is what a client sends, fed in pieces as TCP may
/// cut it (the first byte says where). Every answer must be a whole HTTP/1.1 response with
/// its Content-Length true, and nothing may be answered before its request line.
func fuzzHTTP(_ input: [UInt8]) {
    guard let cut = input.first else { return }
    let bytes = Array(input.dropFirst())
    var received: [UInt8] = []
    for piece in [bytes.prefix(Int(cut)), bytes.dropFirst(Int(cut))] {
        received += piece
        switch HTTPExchange.step(received, path: "/metrics", body: { "carp_build_info 1\n" }) {
        case .needMore:
            continue
        case .answer(let reply, let status):
            check(reply, status: status)
            return
        }
    }
}

private func check(_ reply: [UInt8], status: Int) {
    let text = String(decoding: reply, as: UTF8.self)
    guard text.hasPrefix("HTTP/1.1 \(status) "), let end = text.firstRange(of: "\r\n\r\n") else { fatalError("malformed reply \(text.debugDescription)") }
    let head = text[..<end.lowerBound], body = text[end.upperBound...]
    guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }),
          let length = Int(line.dropFirst("Content-Length: ".count)) else { fatalError("no Content-Length in \(head.debugDescription)") }
    // HEAD answers carry the length of the body they leave out.
    guard body.utf8.count == length || body.isEmpty else { fatalError("Content-Length \(length), body \(body.utf8.count)") }
}
