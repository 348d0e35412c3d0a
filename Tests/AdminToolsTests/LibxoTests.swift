import Testing
@testable import AdminTools

/// `netstat --libxo`: FreeBSD's containers and key names, -ss hiding the zeros as in text.
struct LibxoTests {
    let stats: [String: UInt64] = ["ipackets": 835247, "ipackets6": 83533, "badttl": 1, "badsum": 2, "badvhid": 50,
                                   "opackets": 4, "opackets6": 1, "onomem": 3]

    @Test func carpStatisticsAsFreeBSDWritesThem() {
        let json = NetstatCommand.libxo("carp", NetstatCommand.lines, stats, hideZero: true, ownLines: NetstatCommand.ownLines,
                                        style: Libxo.Style(format: .json))
        #expect(json == "{\"__version\": \"1\", \"statistics\": {\"carp\": {\"received-inet-packets\": 835247, "
            + "\"received-inet6-packets\": 83533, \"dropped-wrong-ttl\": 1, \"dropped-bad-checksum\": 2, "
            + "\"dropped-bad-vhid\": 50, \"sent-inet-packets\": 4, \"sent-inet6-packets\": 1, \"send-failed-memory-error\": 3}}}")
        let xml = NetstatCommand.libxo("carp", NetstatCommand.lines, ["badauth": 2], hideZero: true, style: Libxo.Style(format: .xml))
        #expect(xml == "<statistics __version=\"1\"><carp><dropped-bad-authentication>2</dropped-bad-authentication></carp></statistics>")
    }

    @Test func everyCounterIsThereWithOneS() {
        let json = NetstatCommand.libxo("pfsync", NetstatCommand.pfsyncLines, [:], hideZero: false, style: Libxo.Style(format: .json, pretty: true))
        #expect(json.contains("\"send-inet6-packets\": 0") && json.contains("\"dropped-failed-lookup\": 0"))
        #expect(json.split(separator: "\n").count == NetstatCommand.pfsyncLines.count + 7)
    }

    @Test func theOptionsLibxoTakes() throws {
        #expect(try Libxo.parse("json,pretty") == Libxo.Style(format: .json, pretty: true))
        #expect(try Libxo.parse("text") == Libxo.Style())
        #expect(throws: ToolError("--libxo: yaml: unknown option (json, xml, text, pretty)")) { try Libxo.parse("yaml") }
    }
}
