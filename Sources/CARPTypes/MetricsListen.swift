/// Where carpd serves Prometheus metrics: `carpd -m [address:]port`, or rc.conf's
/// `carpd_metrics`. Without an address it is the loopback (metrics say which node is
/// MASTER: nothing for the whole network unless asked).
public struct MetricsListen: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public static let loopback = IPAddress.v4(IPv4Address(0x7f00_0001))

    public init(address: IPAddress = MetricsListen.loopback, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// `9100`, `192.0.2.1:9100`, `[2001:db8::1]:9100`, `localhost:9100`; the message says
    /// what is wrong.
    public static func parse(_ text: String) -> Result<MetricsListen, MetricsListenError> {
        var host: Substring? = nil, portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(MetricsListenError(text, "expected [address]:port"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An IPv6 address needs its brackets: "2001:db8::1:9100" is ambiguous.
            if host?.contains(":") == true { return .failure(MetricsListenError(text, "an IPv6 address goes in brackets: [address]:port")) }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(portText), port != 0 else {
            return .failure(MetricsListenError(text, "port must be a number from 1 to 65535"))
        }
        guard let host else { return .success(MetricsListen(port: port)) }
        if host == "localhost" { return .success(MetricsListen(port: port)) }
        guard let address = IPAddress(host) else { return .failure(MetricsListenError(text, "\(host): not an IPv4 or IPv6 address")) }
        return .success(MetricsListen(address: address, port: port))
    }

    public var description: String {
        address.family == .inet ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

public struct MetricsListenError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    init(_ text: String, _ problem: String) { description = "\(text): \(problem)" }
}
