# SPDX-License-Identifier: MIT
# bash completion for aktoken (bash-completion 2.x)                -*- shell-script -*-
# Installed as share/bash-completion/completions/aktoken; also printed by `aktoken completion bash`.

# _aktoken_takes_value WORD: whether the option WORD takes a value (global and per command options
# together: no option takes a value in one command and none in another).
_aktoken_takes_value() {
    case $1 in
        --url | --token-file | --profile | --ca-file | --timeout | -o | --output | --retries | --retry-max-time | \
            --description | --expires | --intent | --user | --identifier | --managed | --search | --ordering | \
            --expiring-within | --limit | --columns | --key-file | --if-expiring-within | --length | --lock | \
            --lock-timeout | --warn | --crit | --prometheus | --from-file | --parallel | --overlap | --exec | \
            --exec-timeout)
            return 0
            ;;
    esac
    return 1
}

_aktoken_global_options='--url --token-file --profile --ca-file --insecure --timeout -o --output --retries
  --retry-max-time -q --quiet --no-color -v --verbose --version -h --help'

# _aktoken_command_options COMMAND: the options of COMMAND (without the global ones).
_aktoken_command_options() {
    local list_filters='--identifier --intent --user --description --managed --expiring --no-expiring
      --search --ordering --expiring-within --expired --limit --no-headers'
    case $1 in
        get) echo --from-file --parallel ;;
        update)
            echo --description --expires --expiring --no-expiring --intent --user --identifier --managed \
                --no-managed --no-preserve --dry-run --strict --allow-expiry-reset --from-file --parallel
            ;;
        list) echo $list_filters --columns --parallel ;;
        create)
            echo --intent --user --description --expires --no-expiring --managed --if-not-exists --show-key \
                --key-file --strict --allow-expiry-reset
            ;;
        delete) echo -y --yes --ignore-missing --from-file --parallel ;;
        view-key) echo --key-file ;;
        set-key) echo --key-file --key-stdin ;;
        check) echo --warn --crit --prometheus $list_filters --from-file --parallel ;;
        rotate)
            echo --key-file --show-key --if-expiring-within --length --expires --verify --lock --lock-timeout \
                --overlap --no-expiring --exec --exec-timeout --from-file --parallel
            ;;
        prune) echo --dry-run --from-file --parallel ;;
    esac
}

# _aktoken_profiles: the profile names of the config file.
_aktoken_profiles() {
    local config=${AKTOKEN_CONFIG:-}
    if [[ -z $config ]]; then
        if [[ ${XDG_CONFIG_HOME:-} == /* ]]; then
            config=$XDG_CONFIG_HOME/aktoken/config
        else
            config=$HOME/.config/aktoken/config
        fi
    fi
    [[ -r $config ]] || return 0
    sed -n 's/^[[:space:]]*\[\([^][[:space:]]\{1,\}\)\][[:space:]]*$/\1/p' -- "$config" 2>/dev/null
}

# _aktoken_identifiers: the token identifiers on the configured server, asked with a short
# timeout and no retries, silent on failure. Connection options already on the line are passed on.
_aktoken_identifiers() {
    local -a args=()
    local i word value
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --url | --profile | --token-file | --ca-file)
                value=${words[i + 1]-}
                ((i++))
                ;;
            --url=* | --profile=* | --token-file=* | --ca-file=*)
                value=${word#*=}
                word=${word%%=*}
                ;;
            --insecure)
                args+=(--insecure)
                continue
                ;;
            *) continue ;;
        esac
        # A token on standard input cannot be read here; an empty value is not yet typed.
        [[ -z $value || $value == - ]] && continue
        [[ $value == \~/* ]] && value=$HOME/${value#\~/}
        args+=("$word" "$value")
    done
    "${words[0]}" "${args[@]}" list -o id --timeout 2 --retries 0 --no-color </dev/null 2>/dev/null
}

# _aktoken_comma_values VALUE...: a comma-separated list of VALUEs (--ordering, --columns).
_aktoken_comma_values() {
    local prefix=
    [[ $cur == *,* ]] && prefix=${cur%,*},
    local IFS=$'\n'
    COMPREPLY=($(compgen -P "$prefix" -W "$*" -- "${cur##*,}"))
    [[ $prefix ]] && compopt -o nospace 2>/dev/null
    # No space after a complete field: another may follow.
    ((${#COMPREPLY[@]} == 1)) && compopt -o nospace 2>/dev/null
    return 0
}

_aktoken() {
    local cur prev words cword split
    # Words are not split at ':' (URLs on the line stay whole) nor at '=' (-s splits --opt=value).
    _init_completion -s -n : || return
    _aktoken_complete
    __ltrim_colon_completions "$cur"
}

# _aktoken_complete: fills COMPREPLY, with cur, prev, words, cword and split of _aktoken.
_aktoken_complete() {
    local commands='get update list create delete view-key set-key used-by whoami check rotate prune completion config'

    # The command is the first word that is neither an option nor an option's value.
    local i command= positionals=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --*=*) ;;
            -*)
                _aktoken_takes_value "${words[i]}" && ((i++))
                ;;
            *)
                if [[ -z $command ]]; then
                    command=${words[i]}
                else
                    ((positionals++))
                fi
                ;;
        esac
    done

    case $prev in
        --url | --timeout | --retries | --retry-max-time | --description | --expires | --user | --managed | \
            --search | --expiring-within | --limit | --if-expiring-within | --length | --lock-timeout | --warn | \
            --crit | --parallel | --overlap | --exec | --exec-timeout)
            return
            ;;
        --token-file | --ca-file | --key-file | --from-file | --lock | --prometheus)
            _filedir
            return
            ;;
        --profile)
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_aktoken_profiles)" -- "$cur"))
            return
            ;;
        -o | --output)
            COMPREPLY=($(compgen -W 'table wide json jsonl tsv id' -- "$cur"))
            return
            ;;
        --intent)
            case $command in
                update | create) COMPREPLY=($(compgen -W 'api app_password' -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W 'verification api recovery app_password' -- "$cur")) ;;
            esac
            return
            ;;
        --ordering)
            _aktoken_comma_values identifier intent user description expires expiring managed pk \
                -identifier -intent -user -description -expires -expiring -managed -pk
            return
            ;;
        --columns)
            _aktoken_comma_values identifier pk intent user user.username user.pk description expires \
                expiring managed
            return
            ;;
        --identifier)
            # list and check filter by an existing identifier; update renames to a new one.
            case $command in
                list | check) COMPREPLY=($(compgen -W "$(_aktoken_identifiers)" -- "$cur")) ;;
            esac
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_aktoken_command_options "$command") $_aktoken_global_options" -- "$cur"))
        return
    fi

    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        return
    fi

    case $command in
        get | update | delete | rotate | prune | check)
            COMPREPLY=($(compgen -W "$(_aktoken_identifiers)" -- "$cur"))
            ;;
        view-key | set-key | used-by)
            ((positionals == 0)) && COMPREPLY=($(compgen -W "$(_aktoken_identifiers)" -- "$cur"))
            ;;
        completion)
            ((positionals == 0)) && COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur"))
            ;;
        config)
            ((positionals == 0)) && COMPREPLY=($(compgen -W 'show path' -- "$cur"))
            ;;
    esac
}

complete -F _aktoken aktoken

# ex: filetype=sh
