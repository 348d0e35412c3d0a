import CARPTypes

/// The zsh completion script (see CompletionScripts).
extension CompletionScripts {
    public static func zsh() -> String {
        /// _describe's NAME:DESCRIPTION, a colon in NAME escaped.
        func described(_ pairs: [(String, String)], separator: String = "\n    ") -> String {
            (separator.hasPrefix("\n") ? "    " : "")
                + pairs.map { quoted($0.0.split(separator: ":", omittingEmptySubsequences: false).joined(separator: "\\:") + ":" + $0.1) }
                    .joined(separator: separator)
        }
        let values = valueWords.map { name, argument, help in
            if case .choice(let choices) = argument { return "          (\(name)) _wanted values expl \(quoted(help)) compadd -- \(words(choices)) ;;\n" }
            return "          (\(name)) " + (argument == .interface ? "_bsd-carp_interfaces" : "_message -e values \(quoted(name + ": " + help))") + " ;;\n"
        }.joined()
        let family = "(" + familyWords.joined(separator: "|") + ")"
        return "#compdef \(words(tools.flatMap { [$0, installed($0)] }))\n" + header("#", shell: "zsh") + """

            _bsd-carp_interfaces() {
              local -a expl ifs
              ifs=( /sys/class/net/*(N:t) )
              _wanted interfaces expl 'network interface' compadd -a ifs
            }

            _bsd-carp_ifconfig() {
              local -a flags grammar grammarnames valuewords groupwords expl
              local i=2 j
              grammarnames=( \(words(IfconfigGrammar.rules.map { quoted($0.name) })) )
              valuewords=( \(words(valueWords.map { quoted($0.name) })) )
              flags=( \(described(IfconfigGrammar.flags.map { ($0.flag, $0.help) }, separator: " ")) )
              grammar=(
            \(described(IfconfigGrammar.rules.map { ($0.name, $0.help) }))
              )
              groupwords=( \(described(IfconfigGrammar.groupWords.map { ($0, ($0.hasPrefix("-") ? "lower" : "raise") + " the demote counter") }, separator: " ")) )
              while (( i < CURRENT )) && [[ $words[i] == -?* ]]; do
                if [[ $words[i] == *g* ]]; then
                  case $(( CURRENT - i )) in
                    (1) _wanted groups expl 'interface group' compadd -- \(group) ;;
                    (2) _describe -t group-words 'group word' groupwords ;;
                    (*) _message -e values 'demotion amount, 0 to 128' ;;
                  esac
                  return
                fi
                (( i++ ))
              done
              if (( i == CURRENT )); then
                [[ $PREFIX == -* ]] && _describe -t flags 'flag' flags || _bsd-carp_interfaces
                return
              fi
              for (( j = i + 1; j < CURRENT; j++ )); do
                (( ${valuewords[(Ie)$words[j]]} )) || continue
                if (( j + 1 == CURRENT )); then
                  case $words[j] in
            \(values)          esac
                  return
                fi
                case $words[j] in
                  \(family) (( ${grammarnames[(Ie)$words[j+1]]} )) && continue ;;
                esac
                (( j++ ))
              done
              _describe -t words 'ifconfig word' grammar
            }

            # Names other than these are left to the default completion.
            _bsd-carp_sysctl() {
              local -a names
              local curcontext=$curcontext state line ret=1
              names=(
            \(described(sysctlNames.map { ($0.name, $0.help) }))
              )
              _arguments -C -s -S \\
            \(sysctlFlags.map { "    " + quoted(($0.takesFile ? "*" : "") + $0.flag + "[" + $0.help + "]" + ($0.takesFile ? ($0.flag == "-p" ? "::file:_files" : ":file:_files") : "")) + " \\" }.joined(separator: "\n"))
                '*:sysctl name:->name' && ret=0
              [[ $state == name ]] || return ret
              [[ $PREFIX == *=* ]] && { _message -e values 'value'; return }
              _describe -t sysctl-names 'sysctl name' names && return
              _default
            }

            _bsd-carp_netstat() {
              _arguments -s \\
                \(quoted("*-s[" + netstatFlags[0].help + "]")) \\
                \(quoted("-p+[" + netstatFlags[1].help + "]:protocol:(" + protocols + ")")) \\
                \(quoted("--libxo=[" + netstatFlags[2].help + "]:format:(" + libxoFormats + ")"))
            }

            _bsd-carp_netstart() {
              local -a expl ifs
              ifs=( \(configDirectory)/hostname.*(N:t:s/hostname.//) /sys/class/net/*(N:t) )
              _arguments -s \\
                \(quoted("-n[" + netstartHelp + "]")) \\
                '*:interface:->interface' || return
              _wanted interfaces expl 'interface' compadd -a ifs
            }

            # A plain name that is not bsd-carp's tool (bsd-NAME is installed and NAME is
            # another file) gets the shell's own completion for it.
            _bsd-carp() {
              local tool=${service#bsd-} ret=1
              if [[ $service == $tool && -n ${commands[bsd-$tool]} && -n ${commands[$tool]} &&
                    ${commands[$tool]:A} != ${commands[bsd-$tool]:A} ]]; then
                _call_function ret _$tool "$@" || _default
                return
              fi
              case $tool in
                (\(tools.joined(separator: "|"))) _bsd-carp_$tool "$@" ;;
              esac
            }

            _bsd-carp "$@"

            """
    }
}
