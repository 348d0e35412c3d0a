/// What carpd and the BSD tools agree on without asking each other: where the daemon listens
/// and how a macvlan it made is recognised (after a crash, by `carpd -C`, by `ifconfig -a`).
public enum CarpdConventions {
    /// bsd-carp's version, in the metrics' carp_build_info.
    public static let version = "1.1-dev"
    /// The control socket when neither `-s` nor `CARPD_SOCKET` names one; every runtime file
    /// of an instance lives in its socket's directory.
    public static let defaultSocket = "/run/carpd/carpd.sock"
    /// IFLA_IFALIAS of every macvlan carpd creates: this prefix and the vhid ("carpd vhid 1").
    public static let macvlanAliasPrefix = "carpd vhid "
    /// The interface group of carpd's macvlans ("CARP" in ASCII): deleting the group at exit
    /// removes 255 of them in milliseconds instead of ~6 s one by one.
    public static let macvlanGroup: UInt32 = 0x4341_5250

    /// The alias of vhid `vhid`'s macvlan.
    public static func macvlanAlias(vhid: UInt8) -> String { macvlanAliasPrefix + String(vhid) }

    /// True for a link of kind `kind` with alias `alias` that a carpd created.
    public static func isCarpdMacvlan(kind: String?, alias: String?) -> Bool {
        kind == "macvlan" && (alias ?? "").hasPrefix(macvlanAliasPrefix)
    }
}
