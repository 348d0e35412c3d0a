import CARPControl
import CARPCore
import Glibc

/// A refused control request: errno plus a BSD-style message.
struct ControlFailure: Error {
    let errno: Int32
    let message: String
    init(_ errno: Int32, _ message: String) {
        self.errno = errno
        self.message = message
    }
}

/// The result of a check by the field table; a refused value is EINVAL with its BSD wording.
func checked<T>(_ body: () throws(ValueError) -> T) throws(ControlFailure) -> T {
    do { return try body() } catch { throw ControlFailure(EINVAL, error.message) }
}
