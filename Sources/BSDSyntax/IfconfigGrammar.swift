import CARPTypes

/// One word of ifconfig's grammar. The table drives the parser, the usage text, the
/// shell completions and the man-page test.
public struct WordRule: Sendable {
    public enum Argument: Sendable, Equatable {
        case none
        case number, text, interface, address
        case choice([String])
    }

    public let name: String
    public let argument: Argument
    public let help: String
    let apply: @Sendable (inout IfconfigRequest, String?) throws(UsageError) -> Void

    init(_ name: String, _ argument: Argument, _ help: String,
         _ apply: @escaping @Sendable (inout IfconfigRequest, String?) throws(UsageError) -> Void) {
        self.name = name
        self.argument = argument
        self.help = help
        self.apply = apply
    }
}

public enum IfconfigGrammar {
    public static let rules: [WordRule] = carpRules + pfsyncRules + addressRules + inet6Rules + linkRules

    public static func rule(named name: String) -> WordRule? { rules.first { $0.name == name } }

    /// Words known only to be refused with a clear message: not implemented yet, or not
    /// possible on Linux.
    public static let notYetSupported: [String: String] = inet6Refused

    /// Global flags of `ifconfig [-AaCgkm]`.
    public static let flags: [(flag: String, help: String)] = [
        ("-a", "all interfaces"), ("-A", "all interfaces, with every address"), ("-C", "list interface cloners"),
        ("-g", "show or change an interface group: -g carp [-]carpdemote [N]"), ("-k", "show CARP keys (root only)"),
        ("--libxo", "FreeBSD libxo output: json, xml or text, with ,pretty to indent"),
    ]

    public static let usage = """
        usage: ifconfig [--libxo json|xml[,pretty]] [-AaCk] [interface] [parameters]
               ifconfig -g group [[-]carpdemote [number]]
        """
}

extension IfconfigGrammar {
    /// `carpdemote [N]`: N is 0 to 128, as OpenBSD's ifconfig checks it.
    public static func demoteAmount(_ text: String) throws(UsageError) -> Int {
        try number("carpdemote", text, 0...128)
    }

    /// Words that name a group verb after `-g GROUP`.
    public static let groupWords = ["carpdemote", "-carpdemote"]
}
