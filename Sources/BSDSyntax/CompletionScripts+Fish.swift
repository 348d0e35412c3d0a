import CARPTypes

/// The fish completion script (see CompletionScripts).
extension CompletionScripts {
    public static func fish() -> String {
        var lines: [String] = []
        for tool in tools {
            let body = fishLines(tool, command: "$c")
            lines.append("for c in \(installed(tool)) (__bsd_carp_is_ours \(tool); and echo \(tool))")
            lines.append("    complete -e -c $c")
            lines += body.map { "    " + $0 }
            lines.append("end")
        }
        let valued = valueWords.map { fishQuoted($0.name) }.joined(separator: " ")
        let grammar = IfconfigGrammar.rules.map { fishQuoted($0.name) }.joined(separator: " ")
        return header("#", shell: "fish") + """
            # One file for the four tools: install it as bsd-ifconfig.fish, bsd-sysctl.fish,
            # bsd-netstat.fish and bsd-netstart.fish in a completions directory; loading it again
            # is harmless.

            function __bsd_carp_interfaces
                for path in /sys/class/net/*
                    string replace -r '.*/' '' -- $path
                end
            end

            function __bsd_carp_configured
                for path in \(configDirectory)/hostname.*
                    string replace -r '.*/hostname\\.' '' -- $path
                end
            end

            # Where the word being completed stands: interface, group, groupword, word,
            # value:WORD (the value of WORD) or value (a demotion amount).
            function __bsd_carp_ifconfig_position
                set -l tokens (commandline -opc)
                set -e tokens[1]
                set -l n (count $tokens)
                set -l i 1
                while test $i -le $n; and string match -q -r -- '^-.' $tokens[$i]
                    if string match -q -- '*g*' $tokens[$i]
                        set -l after group groupword value
                        echo $after[(math "min($n - $i, 2) + 1")]
                        return
                    end
                    set i (math $i + 1)
                end
                test $i -gt $n; and echo interface; and return
                set i (math $i + 1)
                while test $i -le $n
                    if contains -- $tokens[$i] \(valued)
                        test $i -eq $n; and echo value:$tokens[$i]; and return
                        set -l next $tokens[(math $i + 1)]
                        if not contains -- $tokens[$i] \(familyWords.joined(separator: " ")); or not contains -- $next \(grammar)
                            set i (math $i + 1)
                        end
                    end
                    set i (math $i + 1)
                end
                echo word
            end

            function __bsd_carp_ifconfig_at
                test (__bsd_carp_ifconfig_position) = $argv[1]
            end

            # NAME is bsd-carp's tool: the same file as bsd-NAME, or no bsd-NAME (sourced by hand).
            function __bsd_carp_is_ours
                set -l plain (command -s $argv[1])
                set -l bsd (command -s bsd-$argv[1])
                test -z "$bsd"; or test -z "$plain"; or test (realpath $plain) = (realpath $bsd)
            end

            \(lines.joined(separator: "\n"))

            """
    }
}

extension CompletionScripts {
    /// The `complete` lines of one tool for the command `c` (a fish expression).
    static func fishLines(_ tool: String, command c: String) -> [String] {
        func line(_ position: String?, _ rest: String) -> String {
            "complete -c \(c)" + (position.map { " -n '__bsd_carp_ifconfig_at \($0)'" } ?? "") + " " + rest
        }
        let value = "string match -q -- \"*=*\" (commandline -ct)"
        switch tool {
        case "ifconfig":
            return [line(nil, "-f")]
                + IfconfigGrammar.flags.map { flag in
                    let option = flag.flag.hasPrefix("--") ? "-l \(flag.flag.dropFirst(2)) -x" : "-s \(flag.flag.dropFirst())"
                    return line("interface", "\(option) -d \(fishQuoted(flag.help))")
                }
                + [line("interface", "-a '(__bsd_carp_interfaces)'"), line("group", "-a \(group) -d 'interface group'")]
                + IfconfigGrammar.groupWords.map { line("groupword", "-a \(fishQuoted($0)) -d 'demote counter'") }
                + IfconfigGrammar.rules.map { line("word", "-a \(fishQuoted($0.name)) -d \(fishQuoted($0.help))") }
                + valueWords.compactMap { word in
                    switch word.argument {
                    case .choice(let choices): line("value:\(word.name)", "-a \(fishQuoted(words(choices)))")
                    case .interface: line("value:\(word.name)", "-a '(__bsd_carp_interfaces)'")
                    default: nil
                    }
                }
        case "sysctl":
            // A value (after '=') gets nothing, not even file names.
            return sysctlFlags.map { line(nil, "-s \($0.flag.dropFirst())\($0.takesFile ? " -r -F" : "") -d \(fishQuoted($0.help))") }
                + [line(nil, "-n '\(value)' -f")]
                + sysctlNames.map { line(nil, "-n 'not \(value)' -a \(fishQuoted($0.name)) -d \(fishQuoted($0.help))") }
        case "netstart":
            return [line(nil, "-f"), line(nil, "-s n -d \(fishQuoted(netstartHelp))"),
                    line(nil, "-a '(__bsd_carp_configured) (__bsd_carp_interfaces)'")]
        default:
            return [line(nil, "-f"), line(nil, "-s s -d \(fishQuoted(netstatFlags[0].help))"),
                    line(nil, "-s p -x -a \(fishQuoted(protocols)) -d \(fishQuoted(netstatFlags[1].help))"),
                    line(nil, "-l libxo -x -a \(fishQuoted(libxoFormats)) -d \(fishQuoted(netstatFlags[2].help))")]
        }
    }
}
