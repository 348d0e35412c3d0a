import Glibc
import Testing
import CARPTypes
@testable import BSDSyntax

/// The repository root, three levels above this file (Tests/BSDSyntaxTests/CompletionTests.swift).
private let repository = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))

private func readFile(_ relative: String) -> String? {
    guard let f = fopen(repository + "/" + relative, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    while true {
        let c = fgetc(f)
        if c == EOF { break }
        bytes.append(UInt8(c))
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func writeFile(_ relative: String, _ text: String) {
    guard let f = fopen(repository + "/" + relative, "w") else {
        Issue.record("cannot write \(relative)")
        return
    }
    fputs(text, f)
    fclose(f)
}

/// The committed completion scripts equal the generator's output;
/// `UPDATE_COMPLETIONS=1 swift test --filter CompletionTests` rewrites them.
struct CompletionTests {
    static let files: [(path: String, generate: @Sendable () -> String)] = [
        ("completions/ifconfig.bash", CompletionScripts.bash),
        ("completions/_bsd-carp", CompletionScripts.zsh),
        ("completions/bsd-carp.fish", CompletionScripts.fish),
    ]

    @Test(arguments: 0..<3)
    func committedScriptMatchesGenerator(_ index: Int) {
        let (path, generate) = Self.files[index]
        let script = generate()
        if let update = getenv("UPDATE_COMPLETIONS"), String(cString: update) == "1" { writeFile(path, script) }
        guard let committed = readFile(path) else {
            Issue.record("missing \(path); run UPDATE_COMPLETIONS=1 swift test --filter CompletionTests")
            return
        }
        let difference = firstDifference(committed, script)
        #expect(difference == nil, "\(path) is stale at \(difference ?? ""); run UPDATE_COMPLETIONS=1 swift test --filter CompletionTests")
    }

    /// "line N: COMMITTED / GENERATED" for the first line that differs, nil if none does.
    func firstDifference(_ a: String, _ b: String) -> String? {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) where i >= x.count || i >= y.count || x[i] != y[i] {
            return "line \(i + 1): \(i < x.count ? String(x[i]) : "<end>") / \(i < y.count ? String(y[i]) : "<end>")"
        }
        return nil
    }

    @Test func scriptsCarryEveryWordAndName() {
        for script in [CompletionScripts.bash(), CompletionScripts.zsh(), CompletionScripts.fish()] {
            let needed = IfconfigGrammar.rules.map(\.name) + SysctlNames.carpNames + SysctlNames.mapped.map(\.bsd)
                + ["bsd-ifconfig", "bsd-sysctl", "bsd-netstat", "bsd-netstart", "carpdemote", "-carpdemote", "/sys/class/net",
                   "/etc/carp/hostname.", "init backup master"]
            let missing = needed.filter { !script.contains($0) }
            #expect(missing.isEmpty, "missing from a script: \(missing)")
        }
        #expect(CompletionScripts.zsh().hasPrefix("#compdef ifconfig bsd-ifconfig sysctl bsd-sysctl netstat bsd-netstat netstart bsd-netstart\n"))
    }

    @Test func quoting() {
        #expect(CompletionScripts.quoted("it's") == "'it'\\''s'")
        #expect(CompletionScripts.fishQuoted("a\\b'c") == "'a\\\\b\\'c'")
    }
}

/// The man pages name every word, flag and sysctl the tables know.
struct ManPageDriftTests {
    /// True if some line of the page has the macro `macro` directly followed by `word`
    /// (a leading '-' may be written `\-`).
    static func page(_ text: String, has macro: String, _ word: String) -> Bool {
        let forms: Set<String> = word.hasPrefix("-") ? [word, "\\" + word] : [word]
        for line in text.split(separator: "\n") where line.hasPrefix(".") {
            let tokens = line.split(separator: " ").map(String.init)
            for (i, token) in tokens.enumerated().dropLast() where token == macro || token == "." + macro {
                if forms.contains(tokens[i + 1]) { return true }
            }
        }
        return false
    }

    @Test func ifconfigPageHasEveryWord() throws {
        let page = try #require(readFile("man/ifconfig.8"))
        for name in IfconfigGrammar.rules.map(\.name) + IfconfigGrammar.notYetSupported.keys.sorted() + IfconfigGrammar.groupWords {
            let found = Self.page(page, has: "Cm", name)
            #expect(found, ".Cm \(name) missing from man/ifconfig.8")
        }
        for (flag, _) in IfconfigGrammar.flags {
            let found = Self.page(page, has: "Fl", String(flag.dropFirst()))
            #expect(found, ".Fl \(flag.dropFirst()) missing from man/ifconfig.8")
        }
        if case .choice(let states) = IfconfigGrammar.rule(named: "state")?.argument {
            for state in states {
                let found = Self.page(page, has: "Cm", state)
                #expect(found, ".Cm \(state) missing from man/ifconfig.8")
            }
        }
    }

    @Test func sysctlNamesAreDocumented() throws {
        let sysctl = try #require(readFile("man/sysctl.8"))
        let carpd = try #require(readFile("man/carpd.8"))
        let carp = try #require(readFile("man/carp.4"))
        for node in GlobalSettings.nodes {
            let inSysctl = sysctl.contains(node.name), inCarpdOrCarp = carpd.contains(node.name) || carp.contains(node.name)
            #expect(inSysctl, "\(node.name) missing from man/sysctl.8")
            #expect(inCarpdOrCarp, "\(node.name) missing from man/carpd.8 and man/carp.4")
        }
        for name in [SysctlNames.carpPrefix + ".stats"] + SysctlNames.mapped.map(\.bsd) {
            let found = sysctl.contains(name)
            #expect(found, "\(name) missing from man/sysctl.8")
        }
    }

    @Test func everyPageExists() {
        for page in ["man/carpd.8", "man/ifconfig.8", "man/sysctl.8", "man/netstat.8", "man/carp.4", "man/pfsync.4"] {
            #expect(readFile(page) != nil, "\(page) missing")
        }
    }
}
