/// An advertisement that passed the wire checks of its protocol.
public enum DecodedAdvertisement: Sendable {
    case carp(CARPHeader)
}

/// What arrives on IP protocol 112, told apart by the version nibble before anything else:
/// CARP is version 2; FreeBSD 15 runs VRRPv3 (version 3) beside it on the same protocol
/// number, and its packets will be decoded here (issue 14). Until then they are `badver`,
/// as is any other version.
public enum AdvertisementDecoder {
    /// The length and checksum checks of the packet's protocol, in the BSDs' order
    /// (doc/protocol.md §3); the vhid, TTL and authentication follow in the engine.
    public static func decode(_ payload: [UInt8]) -> Result<DecodedAdvertisement, InputRejection> {
        guard let first = payload.first else { return .failure(.tooShort(0)) }
        switch first >> 4 {
        case CARPHeader.version:
            guard let header = CARPHeader(bytes: payload) else { return .failure(.tooShort(payload.count)) }
            guard InternetChecksum.verify(payload.prefix(CARPHeader.length)) else { return .failure(.badChecksum) }
            return .success(.carp(header))
        case let version:
            return .failure(.badVersion(version))
        }
    }
}
