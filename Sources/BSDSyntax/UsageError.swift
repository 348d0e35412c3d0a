import CARPTypes

/// A mistake in the words a user typed, worded as the BSD tools word it.
/// `description` is the text after "ifconfig: ".
public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public init(_ error: ValueError) { message = error.message }
    public var description: String { message }

    static func requiresArgument(_ word: String) -> UsageError { UsageError("'\(word)' requires argument") }

    static func unknown(_ word: String, candidates: [String]) -> UsageError {
        if let guess = EditDistance.closest(to: word, in: candidates) {
            return UsageError("\"\(word)\": unknown keyword (did you mean \"\(guess)\"?)")
        }
        return UsageError("\"\(word)\": unknown keyword")
    }
}

/// strtonum(3)-style integers (CARPTypes' `NumberParsing`) as a usage error.
func number(_ name: String, _ text: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
    do { return try NumberParsing.parse(name, text, range) } catch { throw UsageError(error) }
}

/// Levenshtein distance, for "did you mean".
enum EditDistance {
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    /// The nearest candidate within a third of the word's length (at least 1, at most 3).
    static func closest(to word: String, in candidates: [String]) -> String? {
        let length = word.count, limit = min(3, max(1, length / 3))
        // Lengths further apart than the limit cannot be within it: no table to fill for
        // them (a long garbage word in a file would otherwise cost length x each keyword).
        let near = candidates.filter { abs($0.count - length) <= limit }
        let scored = near.map { ($0, distance(word, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }
}
