import CARPCore

/// Where one carpd's conntrackd keeps its files: all in carpd's runtime directory, so that
/// several carpd (one per network namespace) never share a lock file or a socket.
struct ConntrackdSetup: Equatable {
    let directory: String
    var config: String { directory + "/conntrackd.conf" }
    var lock: String { directory + "/conntrackd.lock" }
    var socket: String { directory + "/conntrackd.ctl" }
    var log: String { directory + "/conntrackd.log" }

    /// The command line of a client request to this instance (`-c`, `-s` ...).
    func request(_ flags: String...) -> [String] { ["-C", config] + flags }
}

/// conntrackd.conf for pfsync0's settings (doc/pfsync.md): FTFW, multicast on the syncdev or
/// UDP to the syncpeer, and the settings found necessary: HashSize above 8192 (conntrackd
/// 1.4.7 ignores every flush after the first commit otherwise), StartupResync, no TCP window
/// tracking (committed states are accepted mid-stream), our own paths, no syslog.
enum ConntrackdConfig {
    static let port = 3780
    /// conntrackd's own default group; pfsync's 224.0.0.240 and protocol 240 are not spoken.
    static let multicastGroup = "225.0.0.50"

    /// `local`: the syncdev's address the updates leave from (same family as the syncpeer).
    static func render(_ settings: PfsyncRecord, local: IPAddress, setup: ConntrackdSetup) -> String {
        let device = settings.syncdev ?? ""
        let family = local.family == .inet ? "IPv4" : "IPv6"
        var transport: [String]
        if let peer = settings.syncpeer {
            transport = ["UDP {", "\(family)_address \(local)", "\(family)_Destination_Address \(peer)", "Port \(port)"]
        } else {
            transport = ["Multicast {", "IPv4_address \(multicastGroup)", "Group \(port)", "IPv4_interface \(local)"]
        }
        transport += ["Interface \(device)", "SndSocketBuffer 1249280", "RcvSocketBuffer 1249280", "Checksum on", "}"]
        var ignored = ["IPv4_address 127.0.0.1", "IPv6_address ::1", "\(family)_address \(local)"]
        if let peer = settings.syncpeer { ignored.append("\(peer.family == .inet ? "IPv4" : "IPv6")_address \(peer)") }
        let lines: [String] = [
            "# Written by carpd for \(PfsyncRecord.interfaceName); changes here are overwritten.",
            "Sync {",
            "Mode FTFW {", "ResendQueueSize 131072", "PurgeTimeout 60", "ACKWindowSize 300",
            "DisableExternalCache Off", "StartupResync on", "}",
        ] + transport + [
            "Options {", "TCPWindowTracking Off", "ExpectationSync On", "}",
            "}",
            "General {",
            "Systemd off", "HashSize 32768", "HashLimit 65536",
            "LogFile \(setup.log)", "Syslog off", "LockFile \(setup.lock)",
            "UNIX {", "Path \(setup.socket)", "}",
            "NetlinkBufferSize 2097152", "NetlinkBufferSizeMaxGrowth 8388608", "NetlinkEventsReliable Off",
            "Filter From Userspace {",
            "Protocol Accept {", "TCP", "UDP", "ICMP", "IPv6-ICMP", "}",
            "Address Ignore {",
        ] + ignored + ["}", "}", "}"]
        return indent(lines)
    }

    /// One statement per line, indented by block depth.
    private static func indent(_ lines: [String]) -> String {
        var depth = 0, text = ""
        for line in lines {
            if line == "}" { depth -= 1 }
            text += String(repeating: "\t", count: max(depth, 0)) + line + "\n"
            if line.hasSuffix("{") { depth += 1 }
        }
        return text
    }
}
