/// What `conntrackd -s` and `conntrackd -s network` print, as numbers, and as the counters of
/// `netstat -s -p pfsync` where conntrackd has an equivalent (doc/pfsync.md has the table).
struct ConntrackdStatistics: Equatable {
    var externalActive: UInt64 = 0
    var externalFailed: UInt64 = 0
    var bytesReceived: UInt64 = 0
    var packetsReceived: UInt64 = 0
    var packetsSent: UInt64 = 0
    var sendErrors: UInt64 = 0
    var wrongVersion: UInt64 = 0
    var malformedHeader: UInt64 = 0
    var malformedPayload: UInt64 = 0
    var badType: UInt64 = 0
    var truncated: UInt64 = 0
    var badSize: UInt64 = 0
    var packetsBefore: UInt64 = 0
    /// The transport is IPv6 (UDP to an IPv6 syncpeer).
    var inet6 = false

    /// Reads both outputs (either may be empty); lines it does not know are skipped.
    static func parse(general: String, network: String = "") -> ConntrackdStatistics {
        var s = ConntrackdStatistics()
        var section = ""
        for raw in (general + "\n" + network).split(separator: "\n") {
            let line = raw.trimmingCharacters(in: " \t")
            if line.hasSuffix(":") || line.contains("traffic (") { section = line }
            let numbers = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt64($0) }
            switch true {
            case section == "cache external:" && line.hasPrefix("current active connections:"):
                s.externalActive = numbers.first ?? 0
            case section == "cache external:" && line.hasPrefix("connections "):
                s.externalFailed += numbers.dropFirst().first ?? 0
            case section.contains("traffic (") && line.hasSuffix("Bytes recv"):
                s.bytesReceived = numbers.last ?? 0
            case section.contains("traffic (") && line.hasSuffix("Pckts recv"):
                s.packetsReceived = numbers.last ?? 0
                s.packetsSent = numbers.first ?? 0
            case section.contains("traffic (") && line.hasSuffix("Error recv"):
                s.sendErrors = numbers.first ?? 0
            case line.hasPrefix("Wrong protocol version:"): s.wrongVersion = numbers.last ?? 0
            case line.hasPrefix("Malformed header:"): s.malformedHeader = numbers.last ?? 0
            case line.hasPrefix("Malformed payload:"): s.malformedPayload = numbers.last ?? 0
            case line.hasPrefix("Bad message type:"): s.badType = numbers.last ?? 0
            case line.hasPrefix("Truncated message:"): s.truncated = numbers.last ?? 0
            case line.hasPrefix("Bad message size:"): s.badSize = numbers.last ?? 0
            case line.hasPrefix("Packets before:"): s.packetsBefore = numbers.last ?? 0
            default: break
            }
        }
        return s
    }

    /// struct pfsyncstats' names (OpenBSD netstat), with conntrackd's figures where it has them;
    /// the rest (bad interface, TTL, HMAC, mbuf) have no equivalent and stay 0.
    var bsdCounters: [(name: String, value: UInt64)] {
        [
            ("ipackets", inet6 ? 0 : packetsReceived), ("ipackets6", inet6 ? packetsReceived : 0),
            ("badif", 0), ("badttl", 0), ("hdrops", malformedHeader), ("badver", wrongVersion), ("badauth", 0),
            ("badact", badType), ("badlen", truncated + badSize), ("badval", malformedPayload),
            ("stale", packetsBefore), ("badstate", externalFailed),
            ("opackets", inet6 ? 0 : packetsSent), ("opackets6", inet6 ? packetsSent : 0),
            ("onomem", 0), ("oerrors", sendErrors),
        ]
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
              let last = lastIndex(where: { !characters.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}
