import Testing
@testable import CARPCore

/// The wire layer tells the protocols on IP 112 apart by the version nibble first.
struct AdvertisementDecoderTests {
    @Test func versionFirstThenLengthThenChecksum() {
        let good = advert(config(), advbase: 1, advskew: 0).sealed()
        guard case .success(.carp(let header)) = AdvertisementDecoder.decode(good) else { Issue.record("refused"); return }
        #expect(header.vhid == 1)
        #expect(failure(AdvertisementDecoder.decode([])) == .tooShort(0))
        #expect(failure(AdvertisementDecoder.decode(Array(good.prefix(20)))) == .tooShort(20))
        var corrupt = good
        corrupt[30] ^= 1
        #expect(failure(AdvertisementDecoder.decode(corrupt)) == .badChecksum)
        // VRRPv3 (version 3): its checksum covers the addresses, so without them it cannot pass.
        #expect(failure(AdvertisementDecoder.decode([0x31, 1, 100, 1, 0, 100, 0, 0, 192, 0, 2, 1])) == .badChecksum)
        #expect(failure(AdvertisementDecoder.decode([0x11] + Array(good.dropFirst()))) == .badVersion(1))
        #expect(failure(AdvertisementDecoder.decode([0x41] + Array(good.dropFirst()))) == .badVersion(4))
    }

    func failure(_ result: Result<DecodedAdvertisement, InputRejection>) -> InputRejection? {
        if case .failure(let rejection) = result { rejection } else { nil }
    }
}

/// The INIT/BACKUP/MASTER skeleton runs any protocol's rules: here a toy one that elects by
/// priority, with its own timers and advertisements, as VRRPv3's will.
struct ElectionSeamTests {
    struct Priority: Sendable { var value: UInt8 }

    struct PriorityRules: ElectionRules {
        var config: VirtualHostConfig
        var priority: UInt8
        var sent: [UInt8] = []

        mutating func configure(_ config: VirtualHostConfig) { self.config = config }
        func advertisementInterval(context: ElectionContext) -> UInt64 { 100_000_000 }
        var masterDownInterval: UInt64 { 300_000_000 + UInt64(256 - Int(priority)) * 1_000_000 }

        func decide(in state: CARPState, heard header: Priority, context: ElectionContext) -> ElectionDecision {
            switch state {
            case .master: header.value > priority ? .becomeBackup(.moreFrequentAdvertisement) : .ignore
            case .backup: header.value == 0 ? .becomeMaster(.masterWillTimeOut) : .restartMasterDown
            case .initial: .ignore
            }
        }

        mutating func advertisement(bowOut: Bool, context: ElectionContext) -> Advertisement {
            sent.append(bowOut ? 0 : priority)
            return .carp(CARPHeader(vhid: config.vhid, advbase: 0, advskew: bowOut ? 0 : priority, counter: 0))
        }

        mutating func admit(_ header: Priority) -> InputRejection? { nil }
    }

    @Test func theMachineFollowsTheRulesItIsGiven() {
        var m = VirtualHostMachine(rules: PriorityRules(config: config(), priority: 100))
        _ = m.setRunnable(true, reason: .initializationComplete, now: 0)
        #expect(m.masterDownAt[.inet] == 300_000_000 + 156_000_000)
        // A live master: the backup waits on.
        #expect(m.receive(Priority(value: 200), family: .inet, context: .init(), now: 1).isEmpty)
        #expect(m.state == .backup && m.masterDownAt[.inet] == 1 + 456_000_000)
        // Priority 0, VRRP's "I am leaving": take over at once, claim, advertise, announce.
        let takeover = m.receive(Priority(value: 0), family: .inet, context: .init(), now: 2)
        #expect(m.state == .master && takeover.contains(.claim(config().addresses)))
        #expect(m.advertiseAt == 2 + 100_000_000 && m.rules.sent == [100])
        // Hearing a higher priority: yield, release first.
        let yielded = m.receive(Priority(value: 250), family: .inet, context: .init(), now: 3)
        #expect(m.state == .backup && yielded.first == .release(.down))
        _ = m.force(.master, context: .init(), now: 4)
        _ = m.bowOut(context: .init(), reason: .administrativelyDown, now: 5)
        #expect(m.rules.sent.last == 0 && m.state == .initial)
    }
}
