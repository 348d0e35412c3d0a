/// An advertisement that passed the wire checks of its protocol.
public enum DecodedAdvertisement: Sendable {
    case carp(CARPHeader)
    case vrrp(VRRPAdvertisement)

    public var vhid: UInt8 {
        switch self {
        case .carp(let header): header.vhid
        case .vrrp(let message): message.vrid
        }
    }
}

/// What arrives on IP protocol 112, told apart by the version nibble before anything else:
/// CARP is version 2; FreeBSD 15 runs VRRPv3 (version 3) beside it on the same protocol
/// number. Any other version is `badver`.
public enum AdvertisementDecoder {
    /// The length and checksum checks of the packet's protocol, in the BSDs' order
    /// (doc/protocol.md §3); the vhid, TTL and authentication follow in the engine. VRRP's
    /// checksum covers the IP pseudo-header: without both addresses it cannot be checked.
    public static func decode(_ payload: [UInt8], source: IPAddress? = nil, destination: IPAddress? = nil) -> Result<DecodedAdvertisement, InputRejection> {
        guard let first = payload.first else { return .failure(.tooShort(0)) }
        switch first >> 4 {
        case CARPHeader.version:
            guard let header = CARPHeader(bytes: payload) else { return .failure(.tooShort(payload.count)) }
            guard InternetChecksum.verify(payload.prefix(CARPHeader.length)) else { return .failure(.badChecksum) }
            return .success(.carp(header))
        case VRRPAdvertisement.version:
            guard let source, let destination, source.family == destination.family else { return .failure(.badChecksum) }
            switch VRRPAdvertisement.decode(payload, source: source, destination: destination) {
            case .success(let message): return .success(.vrrp(message))
            case .failure(.tooShort(let n)), .failure(.badLength(let n)): return .failure(.tooShort(n))
            case .failure(.badType(let type)): return .failure(.badType(type))
            case .failure(.badChecksum): return .failure(.badChecksum)
            }
        case let version:
            return .failure(.badVersion(version))
        }
    }
}
