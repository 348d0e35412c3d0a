/// OpenBSD's interface groups as carp interfaces have them: every carp interface starts in
/// `carp`, `group NAME` / `-group NAME` change that, and each group has a demote counter.
public enum InterfaceGroup {
    public static let carp = "carp"
    /// IFNAMSIZ - 1, as OpenBSD's ifconfig checks it.
    public static let maximumLength = 15

    /// A group name as OpenBSD's `ifconfig group` accepts it, or its error.
    public static func check(_ name: String) throws(ValueError) -> String {
        guard !name.isEmpty else { throw ValueError("setifgroup: group name is empty") }
        guard name.utf8.count <= maximumLength else { throw ValueError("setifgroup: group name too long") }
        guard name.last.map({ !$0.isASCII || !$0.isNumber }) ?? true else {
            throw ValueError("setifgroup: group names may not end in a digit")
        }
        // Names go in comma lists and control lines: printable, no blank or comma.
        guard name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f && $0 != "," && $0 != "=" }) else {
            throw ValueError("\(name): invalid group name")
        }
        return name
    }

    /// `groups` after `-group` of `leave` and `group` of `join`, in OpenBSD's order (joined last).
    public static func edited(_ groups: [String], join: [String], leave: [String]) -> [String] {
        var result = groups.filter { !leave.contains($0) }
        for group in join where !result.contains(group) { result.append(group) }
        return result
    }
}
