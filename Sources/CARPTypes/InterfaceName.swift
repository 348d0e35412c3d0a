/// Linux interface names, as the kernel's dev_valid_name() accepts them: 1 to 15 bytes
/// (IFNAMSIZ 16 with the NUL), not "." or "..", no '/', ':' or whitespace. One rule for the
/// control protocol, the boot files and netlink (libnl would silently cut a longer name).
public enum InterfaceName {
    public static let maximumLength = 15

    public static func isValid(_ name: some StringProtocol) -> Bool {
        let utf8 = name.utf8
        guard (1...maximumLength).contains(utf8.count), name != ".", name != ".." else { return false }
        return !utf8.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f }
    }
}
