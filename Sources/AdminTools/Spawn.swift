import Glibc

/// Finds the distribution's own tool for a name we do not serve (running it is
/// `ChildProcesses.run`, the one spawner of the project).
enum Spawn {
    /// The first executable among `candidates` that is not this very program.
    static func find(_ candidates: [String]) -> String? {
        let me = realpath("/proc/self/exe")
        return candidates.first { path in
            guard access(path, X_OK) == 0 else { return false }
            return realpath(path) != me
        }
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// The process environment as a dictionary, without Foundation.
public enum Environment {
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { result[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            pointer += 1
        }
        return result
    }
}
