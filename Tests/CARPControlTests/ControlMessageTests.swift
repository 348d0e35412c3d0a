import Testing
import CARPControl

struct ControlMessageTests {
    @Test func roundTrip() throws {
        var m = ControlMessage([("set", "1"), ("carpdev", "eth0")])
        m.append("vhid", 1)
        m.append("addr", "192.0.2.10/24")
        m.append("addr", "2001:db8::10/64")
        #expect(m.encoded == "set=1\ncarpdev=eth0\nvhid=1\naddr=192.0.2.10/24\naddr=2001:db8::10/64\n\n")
        let back = try ControlMessage.decode(m.encoded)
        #expect(back == m)
        #expect(back.command == "set" && back["vhid"] == "1" && back.values("addr").count == 2)
    }

    @Test func valuesMayContainEqualsAndSpaces() throws {
        let m = try ControlMessage.decode("set=1\nkey=a=b c\n\n")
        #expect(m["key"] == "a=b c")
    }

    @Test(arguments: ["", "\n", "novalue\n\n", "=x\n\n", "Key=1\n\n", "ke y=1\n\n", "a-b=1\n\n", "k=\u{0}\n\n"])
    func malformedRequestsAreRefused(_ text: String) {
        #expect(throws: ControlDecodeError.self) { try ControlMessage.decode(text) }
    }

    /// Found by fuzz/run (control): a refusal echoing a NUL byte was itself undecodable.
    @Test func everyEncodedMessageDecodes() throws {
        let m = ControlMessage.failure(errno: 22, "line 1: expected key=value, got ':\u{0}\u{1}'\nnext")
        let back = try ControlMessage.decode(m.encoded)
        #expect(back.message == "line 1: expected key=value, got ':\\000\u{1}'\\012next")
        #expect(back.errno == 22)
    }

    @Test func errorNamesTheLine() {
        #expect(throws: ControlDecodeError(line: 2, reason: "expected key=value, got 'garbage'")) {
            try ControlMessage.decode("get=1\ngarbage\n\n")
        }
    }

    @Test func oversizeIsRefused() {
        let text = "set=1\nkey=" + String(repeating: "x", count: ControlMessage.maximumSize) + "\n\n"
        #expect(throws: ControlDecodeError.self) { try ControlMessage.decode(text) }
    }

    @Test func repliesAndRecords() throws {
        let reply = try ControlMessage.decode("vhid=1\nstate=MASTER\naddr=a\nvhid=2\nstate=BACKUP\nerrno=0\n\n")
        let records = reply.records(startingWith: "vhid")
        #expect(records.count == 2 && records[1]["state"] == "BACKUP" && records[0].values("addr") == ["a"])
        #expect(reply.errno == 0)
        let failure = ControlMessage.failure(errno: 22, "vhid 300: too large")
        #expect(failure.encoded == "errno=22\nmessage=vhid 300: too large\n\n")
        #expect(try ControlMessage.decode(failure.encoded).message == "vhid 300: too large")
    }
}

struct ControlFramingTests {
    @Test func aMessageEndsAtItsFirstEmptyLine() {
        #expect(ControlFraming.endOfMessage(Array("get=1\n".utf8)) == nil)
        #expect(ControlFraming.endOfMessage(Array("get=1\n\n".utf8)) == 7)
        #expect(ControlFraming.endOfMessage(Array("get=1\n\nset=1\n\n".utf8)) == 7)
        #expect(ControlFraming.endOfMessage(Array("\n".utf8)) == 1)
        #expect(ControlFraming.endOfMessage([]) == nil)
    }

    @Test func theLimitIsTheCodecs() {
        #expect(ControlFraming.maximumRequestLength == ControlMessage.maximumSize)
    }
}
