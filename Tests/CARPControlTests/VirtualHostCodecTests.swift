import CARPControl
import CARPTypes
import Testing

/// `set=1` and `get=1` through the one table of keys (VirtualHostFields).
struct VirtualHostCodecTests {
    func change(_ pairs: String...) throws(ValueError) -> VirtualHostChange {
        try ControlMessage([("set", "1")] + pairs.map { p in
            let parts = p.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), String(parts[1]))
        }).virtualHostChange()
    }

    @Test func parsesEveryKey() throws {
        let r = try change("carpdev=eth0", "vhid=7", "advbase=0", "advskew=254", "key=s3cret", "state=MASTER",
                           "peer=192.0.2.2", "peer6=mcast6", "addr=192.0.2.10/24", "deladdr=2001:db8::1", "up=0", "ifname=carp0")
        #expect(r.vhid == 7 && r.advbase == 0 && r.advskew == 254 && r.state == .master && r.up == false)
        #expect(r.peer == IPv4Address("192.0.2.2") && r.peer6 == .carpGroup && r.ifname == "carp0" && r.carpdev == "eth0")
        #expect(r.key == CARPKey(passphrase: "s3cret"))
        #expect(r.add == [IPPrefix("192.0.2.10/24")!] && r.delete == [IPPrefix("2001:db8::1")!])
    }

    @Test(arguments: [
        ("vhid=0", "vhid 0: too small"), ("vhid=256", "vhid 256: too large"), ("vhid=x", "vhid x: invalid"),
        ("advskew=255", "advskew 255: too large"), ("advbase=256", "advbase 256: too large"), ("advbase=-1", "advbase -1: too small"),
        ("state=up", "state up: must be init, backup or master"), ("peer=2001:db8::1", "peer 2001:db8::1: only IPv4 addresses are supported"),
        ("peer=239.1.1.1", "peer 239.1.1.1: not a unicast address"), ("addr=224.0.0.1/32", "224.0.0.1/32: not a unicast address"),
        ("addr=192.0.2.1/33", "192.0.2.1/33: bad address"), ("ifname=abcdefghijklmnop", "abcdefghijklmnop: invalid interface name"),
        ("carpdev=eth0:1", "eth0:1: invalid interface name"), ("up=yes", "up yes: must be 0 or 1"), ("bogus=1", "unknown key 'bogus'"),
        ("named=1", "unknown key 'named'"), ("demote=3", "unknown key 'demote'"),
    ])
    func refusesBadValues(_ pair: String, _ message: String) {
        #expect(throws: ValueError(message)) { try change(pair) }
    }

    @Test func aChangeTravelsUnchanged() throws {
        var c = VirtualHostChange(ifname: "carp0", carpdev: "eth0", vhid: 9)
        c.advbase = 2
        c.advskew = 100
        c.key = CARPKey(passphrase: "pass word=x")
        c.state = .backup
        c.peer = IPv4Address("192.0.2.7")
        c.peer6 = .carpGroup
        c.up = false
        c.add = [IPPrefix("192.0.2.10/24")!, IPPrefix("2001:db8::10/64")!]
        c.delete = [IPPrefix("198.51.100.1/32")!]
        let decoded = try ControlMessage.decode(ControlMessage(set: c).encoded)
        #expect(decoded.command == "set")
        #expect(try decoded.virtualHostChange() == c)
        #expect(try ControlMessage(set: VirtualHostChange()).virtualHostChange() == VirtualHostChange())
    }

    @Test func recordsTravelUnchangedAndStartAtVhid() throws {
        var a = VirtualHostRecord(ifname: "carp0", carpdev: "em0", vhid: 1)
        a.state = .master
        a.demote = 3
        a.named = true
        a.addresses = [IPPrefix("192.0.2.10/24")!]
        a.key = CARPKey(passphrase: "s3cret")
        var pending = VirtualHostRecord(ifname: "carp9", carpdev: "", vhid: 0)
        pending.named = true
        var reply = ControlMessage()
        reply.append(a)
        reply.append(pending)
        reply.append("errno", 0)
        #expect(reply.pairs.first?.key == "vhid")
        let back = try ControlMessage.decode(reply.encoded).virtualHostRecords()
        #expect(back == [a, pending])
    }

    @Test func unknownRecordKeysAreSkippedBadValuesAreNot() throws {
        let newer = try ControlMessage.decode("vhid=1\nifname=carp0\ncarpdev=em0\nfuturekey=x\nadvskew=9\nerrno=0\n\n")
        #expect(try newer.virtualHostRecords().map(\.advskew) == [9])
        let bad = try ControlMessage.decode("vhid=1\nadvskew=x\nerrno=0\n\n")
        #expect(throws: ValueError("advskew x: invalid")) { try bad.virtualHostRecords() }
    }

    /// A typed change that never crossed the socket (a boot file line) meets the same checks.
    @Test func validatedAppliesTheTableToTypedChanges() throws {
        var c = VirtualHostChange(carpdev: "eth0", vhid: 0)
        #expect(throws: ValueError("vhid 0: too small")) { try c.validated() }
        c.vhid = 1
        c.advskew = 255
        #expect(throws: ValueError("advskew 255: too large")) { try c.validated() }
        c.advskew = 1
        c.add = [IPPrefix("224.0.0.5/32")!]
        #expect(throws: ValueError("224.0.0.5/32: not a unicast address")) { try c.validated() }
        c.add = [IPPrefix("192.0.2.1/32")!]
        #expect(try c.validated() == c)
    }

    /// Properties whose key is FreeBSD's word rather than their own name.
    static let wireNames = ["add": "addr", "delete": "deladdr", "joinGroups": "group", "leaveGroups": "delgroup",
                            "version": "carpver", "vrrpPriority": "vrrpprio", "vrrpInterval": "vrrpinterval"]

    /// Every stored property of a change and a record has its row: a key added to the types
    /// but not to the table would never travel.
    @Test func theTableCoversBothTypes() {
        let changeKeys = Mirror(reflecting: VirtualHostChange()).children.compactMap(\.label)
            .map { Self.wireNames[$0] ?? $0 }
        let recordKeys = Mirror(reflecting: VirtualHostRecord(ifname: "", carpdev: "", vhid: 0)).children.compactMap(\.label)
            .map { $0 == "addresses" ? "addr" : Self.wireNames[$0] ?? $0 }
        #expect(Set(changeKeys) == Set(VirtualHostFields.all.filter(\.isChangeKey).map(\.name)))
        #expect(Set(recordKeys) == Set(VirtualHostFields.all.filter(\.isRecordKey).map(\.name)))
    }

    @Test func aSavedRecordIsRecreatedByItsChange() {
        var r = VirtualHostRecord(ifname: "vh2-eth0", carpdev: "eth0", vhid: 2)
        r.advskew = 100
        r.up = false
        r.addresses = [IPPrefix("192.0.2.50/32")!]
        r.key = CARPKey(passphrase: "x")
        r.state = .master
        let c = VirtualHostChange(recreating: r)
        #expect(c.ifname == nil && c.carpdev == "eth0" && c.vhid == 2 && c.advskew == 100 && c.up == false)
        #expect(c.add == r.addresses && c.key == r.key && c.state == nil)
        r.named = true
        #expect(VirtualHostChange(recreating: r).ifname == "vh2-eth0")
    }

    @Test func anIncompleteCarpInterfaceCollectsLaterChanges() {
        var first = VirtualHostChange(ifname: "carp0")
        first.advskew = 5
        first.add = [IPPrefix("192.0.2.10/24")!, IPPrefix("192.0.2.11/24")!]
        var second = VirtualHostChange(ifname: "carp0", carpdev: "eth0")
        second.delete = [IPPrefix("192.0.2.11/24")!, IPPrefix("192.0.2.99/24")!]
        second.add = [IPPrefix("192.0.2.12/24")!]
        let merged = second.merged(onto: first)
        #expect(merged.carpdev == "eth0" && merged.advskew == 5)
        #expect(merged.add == [IPPrefix("192.0.2.10/24")!, IPPrefix("192.0.2.12/24")!])
        #expect(merged.delete == [IPPrefix("192.0.2.99/24")!])
    }
}

/// pfsync0's keys through their own table.
struct PfsyncCodecTests {
    @Test func aChangeAndARecordTravelUnchanged() throws {
        var c = PfsyncChange()
        c.syncdev = .some("em1")
        c.syncpeer = .some(nil)
        c.maxupd = 7
        c.deferUpdates = true
        c.version = 1301
        c.up = false
        let message = try ControlMessage.decode(ControlMessage(pfsync: c).encoded)
        #expect(message.command == "pfsync" && message["syncpeer"] == "")
        #expect(try message.pfsyncChange() == c)
        var r = PfsyncRecord()
        r.syncdev = "em1"
        r.syncpeer = IPAddress("2001:db8::2")
        r.running = true
        r.demotion = 240
        var reply = ControlMessage()
        reply.append(r)
        #expect(try ControlMessage.decode(reply.encoded).pfsyncRecord() == r)
    }

    @Test(arguments: [("maxupd=300", "maxupd 300: too large"), ("syncpeer=ff02::1", "syncpeer ff02::1: not a unicast address"),
                      ("running=1", "unknown key 'running'"), ("version=7", "version 7: must be 1301 or 1400")])
    func refusals(_ pair: String, _ message: String) {
        let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
        #expect(throws: ValueError(message)) { try ControlMessage([("pfsync", "1"), (parts[0], parts[1])]).pfsyncChange() }
    }

    @Test func theTableCoversBothTypes() {
        let changeKeys = Mirror(reflecting: PfsyncChange()).children.compactMap(\.label).map { $0 == "deferUpdates" ? "defer" : $0 }
        let recordKeys = Mirror(reflecting: PfsyncRecord()).children.compactMap(\.label).map { $0 == "deferUpdates" ? "defer" : $0 }
        #expect(Set(changeKeys) == Set(PfsyncFields.all.filter(\.isChangeKey).map(\.name)))
        #expect(Set(recordKeys) == Set(PfsyncFields.all.filter(\.isRecordKey).map(\.name)))
    }

    /// Groups travel as one `groups=` line (empty: none); a saved state from before groups
    /// existed has no such line and means `carp`.
    @Test func groupsRoundTripAndRecreate() throws {
        var r = VirtualHostRecord(ifname: "carp1", carpdev: "eth0", vhid: 251)
        r.named = true
        r.groups = ["fw-a"]
        var m = ControlMessage()
        m.append(r)
        #expect(m.values("groups") == ["fw-a"])
        #expect(try m.virtualHostRecords().first?.groups == ["fw-a"])
        let old = try ControlMessage.decode("vhid=1\nifname=carp0\ncarpdev=eth0\n\n")
        #expect(try old.virtualHostRecords().first?.groups == ["carp"])
        let c = VirtualHostChange(recreating: r)
        #expect(c.joinGroups == ["fw-a"] && c.leaveGroups == ["carp"])
        var none = r
        none.groups = []
        var n = ControlMessage()
        n.append(none)
        #expect(try n.virtualHostRecords().first?.groups == [])
    }

    @Test func groupNamesAreCheckedAsOpenBSDDoes() throws {
        var c = VirtualHostChange(ifname: "carp1")
        c.joinGroups = ["fw1"]
        #expect(throws: ValueError("setifgroup: group names may not end in a digit")) { try c.validated() }
        c.joinGroups = ["a-very-long-group"]
        #expect(throws: ValueError("setifgroup: group name too long")) { try c.validated() }
        c.joinGroups = ["fw-a"]
        c.leaveGroups = ["carp"]
        #expect(try c.validated() == c)
        var later = VirtualHostChange(ifname: "carp1")
        later.leaveGroups = ["fw-a"]
        later.joinGroups = ["carp"]
        let merged = later.merged(onto: c)
        #expect(merged.joinGroups == ["carp"] && merged.leaveGroups == ["fw-a"])
        #expect(merged.pendingRecord.groups == ["carp"])
    }
}
