import CNetlink

/// A failed libnl operation: what was attempted, the libnl error code and its text.
///
/// libnl reports errors as negative `NLE_*` codes; `code` holds the positive value so it can be
/// compared with the `NLE_*` constants directly.
public struct NetlinkError: Error, CustomStringConvertible, Equatable {
    /// What was attempted, e.g. `"add 192.0.2.10/32 on vh1-eth0"`.
    public let operation: String
    /// The libnl `NLE_*` code, positive.
    public let code: Int32
    /// The libnl error text (`nl_geterror`).
    public let reason: String

    /// `"<operation>: <reason>"`.
    public var description: String { "\(operation): \(reason)" }

    /// The object already exists (`NLE_EXIST`): a link name or address is taken, or a macvlan's MAC
    /// is already in use by another up interface on the same parent (kernel EADDRINUSE).
    public var isExists: Bool { code == NLE_EXIST }

    /// The interface does not exist (`NLE_NODEV` or `NLE_OBJ_NOTFOUND`).
    public var isNoDevice: Bool { code == NLE_NODEV || code == NLE_OBJ_NOTFOUND }

    /// The address is not configured (`NLE_NOADDR`, kernel EADDRNOTAVAIL).
    public var isNoAddress: Bool { code == NLE_NOADDR }

    /// Builds an error from a libnl return value (negative or positive `NLE_*`); `reason` is
    /// looked up with `nl_geterror`. Public so fakes of `RouteSocket` can throw realistic errors.
    public init(operation: String, code rc: Int32) {
        let positive = rc < 0 ? -rc : rc
        self.operation = operation
        self.code = positive
        if let text = nl_geterror(positive) {
            self.reason = String(cString: text)
        } else {
            self.reason = "libnl error \(positive)"
        }
    }
}

/// Throws a `NetlinkError` if a libnl call returned a negative code.
/// The operation text is built only on failure.
@inline(__always)
func nlCheck(_ rc: Int32, _ operation: @autoclosure () -> String) throws(NetlinkError) {
    if rc < 0 {
        throw NetlinkError(operation: operation(), code: rc)
    }
}

/// The error for an invalid argument caught before talking to the kernel.
func nlInvalid(_ operation: String) -> NetlinkError {
    NetlinkError(operation: operation, code: NLE_INVAL)
}
