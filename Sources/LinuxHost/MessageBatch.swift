import CCarpShim
import Glibc

/// Buffers for up to `capacity` datagrams moved by one `recvmmsg` or `sendmmsg`: per message
/// a data slot, an address slot, a control slot and the iovec and header pointing at them.
///
/// One system call per batch instead of one per datagram: a backup of 255 dual-stack vhids
/// receives 510 advertisements a second, and they arrive in bursts since masters send together.
final class MessageBatch {
    /// A CARP datagram is 56 bytes (IPv4 with header) and a frame 90; anything longer than a
    /// slot is cut short, which only ever affects datagrams that are not CARP.
    static let dataLength = 256
    static let nameLength = MemoryLayout<sockaddr_storage>.size
    /// Room for IP_PKTINFO, or IPV6_PKTINFO plus IPV6_HOPLIMIT (48 bytes together).
    static let controlLength = 128

    let capacity: Int
    let headers: UnsafeMutablePointer<carp_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let data: UnsafeMutableRawPointer
    private let names: UnsafeMutableRawPointer
    private let controls: UnsafeMutableRawPointer

    init(capacity: Int) {
        self.capacity = capacity
        headers = .allocate(capacity: capacity)
        headers.initialize(repeating: carp_mmsghdr(), count: capacity)
        vectors = .allocate(capacity: capacity)
        vectors.initialize(repeating: iovec(), count: capacity)
        data = .allocate(byteCount: capacity * Self.dataLength, alignment: 8)
        names = .allocate(byteCount: capacity * Self.nameLength, alignment: 8)
        controls = .allocate(byteCount: capacity * Self.controlLength, alignment: 8)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.dataLength)
        names.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.nameLength)
        controls.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * Self.controlLength)
    }

    deinit {
        headers.deallocate()
        vectors.deallocate()
        data.deallocate()
        names.deallocate()
        controls.deallocate()
    }

    /// Points the first `count` messages (all by default) at their full slots: the kernel
    /// shrinks the lengths of those it fills in, and only those need resetting.
    func prepareForReceive(_ count: Int? = nil) {
        for index in 0..<min(count ?? capacity, capacity) {
            vectors[index] = iovec(iov_base: data + index * Self.dataLength, iov_len: Self.dataLength)
            var header = msghdr()
            header.msg_name = names + index * Self.nameLength
            header.msg_namelen = socklen_t(Self.nameLength)
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            header.msg_control = controls + index * Self.controlLength
            header.msg_controllen = Self.controlLength
            headers[index] = carp_mmsghdr(msg_hdr: header, msg_len: 0)
        }
    }

    /// Fills message `index` for sending: `payload` (at most `dataLength` bytes) to the
    /// address `name`, without control data.
    func prepareForSend<Address>(_ index: Int, payload: [UInt8], name: Address) {
        precondition(payload.count <= Self.dataLength && MemoryLayout<Address>.size <= Self.nameLength)
        let slot = data + index * Self.dataLength
        payload.withUnsafeBytes { slot.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        withUnsafeBytes(of: name) { (names + index * Self.nameLength).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        vectors[index] = iovec(iov_base: slot, iov_len: payload.count)
        var header = msghdr()
        header.msg_name = names + index * Self.nameLength
        header.msg_namelen = socklen_t(MemoryLayout<Address>.size)
        header.msg_iov = vectors + index
        header.msg_iovlen = 1
        headers[index] = carp_mmsghdr(msg_hdr: header, msg_len: 0)
    }

    /// The bytes received into message `index`.
    func received(_ index: Int) -> [UInt8] {
        let length = min(Int(headers[index].msg_len), Self.dataLength)
        return Array(UnsafeRawBufferPointer(start: data + index * Self.dataLength, count: length))
    }

    /// The sender's address of message `index`.
    func sender(_ index: Int) -> sockaddr_storage {
        (names + index * Self.nameLength).loadUnaligned(as: sockaddr_storage.self)
    }
}
