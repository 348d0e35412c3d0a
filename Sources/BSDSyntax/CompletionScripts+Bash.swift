import CARPTypes

/// The bash completion script (see CompletionScripts).
extension CompletionScripts {
    public static func bash() -> String {
        let grammar = words(IfconfigGrammar.rules.map(\.name))
        var plain: [String] = [], arguments = ""
        for (name, argument, _) in valueWords {
            if case .choice(let choices) = argument { arguments += "        \(name)) echo \(quoted("words " + words(choices))) ;;\n" }
            else if argument == .interface { arguments += "        \(name)) echo interfaces ;;\n" } else { plain.append(name) }
        }
        arguments += "        \(plain.joined(separator: "|"))) echo none ;;\n"
        return header("#", shell: "bash") + """
            # One file for the four tools: install it as bsd-ifconfig, bsd-sysctl, bsd-netstat and
            # bsd-netstart in bash-completion's directory; loading it again is harmless.

            _bsd_carp_ifconfig_words=\(quoted(grammar))

            _bsd_carp_interfaces() {
                local path
                for path in /sys/class/net/*; do
                    [[ -e $path ]] && printf '%s\\n' "${path##*/}"
                done
            }

            # How the value of an ifconfig word completes: "words W...", "interfaces" or "none";
            # fails for a word that takes no value.
            _bsd_carp_ifconfig_argument() {
                case $1 in
            \(arguments)        *) return 1 ;;
                esac
            }

            _bsd_carp_ifconfig() {
                local cur=${COMP_WORDS[COMP_CWORD]} i=1 j how
                COMPREPLY=()
                while (( i < COMP_CWORD )) && [[ ${COMP_WORDS[i]} == -?* ]]; do
                    if [[ ${COMP_WORDS[i]} == *g* ]]; then
                        case $(( COMP_CWORD - i )) in
                            1) COMPREPLY=( $(compgen -W \(quoted(group)) -- "$cur") ) ;;
                            2) COMPREPLY=( $(compgen -W \(quoted(words(IfconfigGrammar.groupWords))) -- "$cur") ) ;;
                        esac
                        return 0
                    fi
                    (( i++ ))
                done
                if (( i == COMP_CWORD )); then
                    if [[ $cur == -* ]]; then
                        COMPREPLY=( $(compgen -W \(quoted(words(IfconfigGrammar.flags.map(\.flag)))) -- "$cur") )
                    else
                        COMPREPLY=( $(compgen -W "$(_bsd_carp_interfaces)" -- "$cur") )
                    fi
                    return 0
                fi
                for (( j = i + 1; j < COMP_CWORD; j++ )); do
                    how=$(_bsd_carp_ifconfig_argument "${COMP_WORDS[j]}") || continue
                    if (( j + 1 == COMP_CWORD )); then
                        case $how in
                            words\\ *) COMPREPLY=( $(compgen -W "${how#words }" -- "$cur") ) ;;
                            interfaces) COMPREPLY=( $(compgen -W "$(_bsd_carp_interfaces)" -- "$cur") ) ;;
                        esac
                        return 0
                    fi
                    case ${COMP_WORDS[j]} in
                        \(familyWords.joined(separator: "|"))) [[ " $_bsd_carp_ifconfig_words " == *" ${COMP_WORDS[j+1]} "* ]] && continue ;;
                    esac
                    (( j++ ))
                done
                COMPREPLY=( $(compgen -W "$_bsd_carp_ifconfig_words" -- "$cur") )
            }

            # Names other than these are left to the default (file name) completion.
            _bsd_carp_sysctl() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                COMPREPLY=()
                # A value (after '=') gets nothing, not even file names.
                [[ $cur == *=* || $cur == = || $prev == = ]] && { compopt +o default 2>/dev/null; return 0; }
                case $prev in
                    \(sysctlFlags.filter(\.takesFile).map(\.flag).joined(separator: "|")))
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=( $(compgen -f -- "$cur") )
                        return 0 ;;
                esac
                if [[ $cur == -* ]]; then
                    COMPREPLY=( $(compgen -W \(quoted(words(sysctlFlags.map(\.flag)))) -- "$cur") )
                else
                    COMPREPLY=( $(compgen -W \(quoted(words(sysctlNames.map(\.name)))) -- "$cur") )
                fi
            }

            _bsd_carp_netstat() {
                local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
                if [[ $prev == -p ]]; then
                    COMPREPLY=( $(compgen -W \(quoted(protocols)) -- "$cur") )
                elif [[ $prev == --libxo ]]; then
                    COMPREPLY=( $(compgen -W \(quoted(libxoFormats)) -- "$cur") )
                else
                    COMPREPLY=( $(compgen -W \(quoted(words(netstatFlags.map(\.flag)))) -- "$cur") )
                fi
            }

            _bsd_carp_netstart() {
                local cur=${COMP_WORDS[COMP_CWORD]} path names
                if [[ $cur == -* ]]; then
                    COMPREPLY=( $(compgen -W -n -- "$cur") )
                    return 0
                fi
                for path in \(configDirectory)/hostname.*; do
                    [[ -e $path ]] && names+=" ${path##*/hostname.}"
                done
                COMPREPLY=( $(compgen -W "$names $(_bsd_carp_interfaces)" -- "$cur") )
            }

            # NAME is bsd-carp's tool: the same file as bsd-NAME, or no bsd-NAME (sourced by hand).
            _bsd_carp_is_ours() {
                local plain bsd
                plain=$(type -P "$1") bsd=$(type -P "bsd-$1")
                [[ -z $bsd || -z $plain || $plain -ef $bsd ]]
            }

            \(tools.map { tool in
                let options = tool == "sysctl" ? "-o default " : ""
                return "complete \(options)-F _bsd_carp_\(tool) \(installed(tool))\n"
                    + "_bsd_carp_is_ours \(tool) && complete \(options)-F _bsd_carp_\(tool) \(tool)"
            }.joined(separator: "\n"))

            """
    }
}
