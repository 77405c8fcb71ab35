# SPDX-License-Identifier: MIT
# fish completion for aktoken. Installed as share/fish/vendor_completions.d/aktoken.fish; also
# printed by `aktoken completion fish` (`aktoken completion fish | source`).

# Whether the option $argv[1] takes a value (global and per command options together: no option
# takes a value in one command and none in another).
function __aktoken_takes_value
    contains -- $argv[1] --url --token-file --profile --ca-file --timeout -o --output --retries \
        --retry-max-time --description --expires --intent --user --identifier --managed --search \
        --ordering --expiring-within --limit --columns --key-file --if-expiring-within --length --lock \
        --lock-timeout --warn --crit --prometheus --from-file --parallel --overlap --exec --exec-timeout
end

# The words before the cursor that are neither options nor option values: the command, then its
# positional arguments.
function __aktoken_positionals
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case '--*=*'
            case '-*'
                __aktoken_takes_value $token; and set skip 1
            case '*'
                printf '%s\n' $token
        end
    end
end

function __aktoken_needs_command
    set -l words (__aktoken_positionals)
    test (count $words) -eq 0
end

# __aktoken_using COMMAND...: the command on the line is one of COMMAND.
function __aktoken_using
    set -l words (__aktoken_positionals)
    test (count $words) -ge 1; and contains -- $words[1] $argv
end

# __aktoken_first_argument COMMAND...: as __aktoken_using, and the cursor is at the command's first
# positional argument.
function __aktoken_first_argument
    set -l words (__aktoken_positionals)
    test (count $words) -eq 1; and contains -- $words[1] $argv
end

function __aktoken_profiles
    set -l config $AKTOKEN_CONFIG
    if test -z "$config"
        if string match -q '/*' -- "$XDG_CONFIG_HOME"
            set config $XDG_CONFIG_HOME/aktoken/config
        else
            set config $HOME/.config/aktoken/config
        end
    end
    test -r $config; or return 0
    string replace -rf '^\s*\[([^\]\[\s]+)\]\s*$' '$1' <$config
end

# Token identifiers on the configured server: a short timeout, no retries, silent on failure.
# The connection options already on the line are passed on.
function __aktoken_identifiers
    set -l tokens (commandline -opc)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l args
    set -l i 1
    while test $i -le (count $tokens)
        set -l word $tokens[$i]
        set -l value
        switch $word
            case --url --profile --token-file --ca-file
                set i (math $i + 1)
                set value $tokens[$i]
            case --url=\* --profile=\* --token-file=\* --ca-file=\*
                set value (string replace -r '^[^=]*=' '' -- $word)
                set word (string replace -r '=.*' '' -- $word)
            case --insecure
                set -a args --insecure
        end
        set i (math $i + 1)
        # A token on standard input cannot be read here; an empty value is not yet typed.
        if test -n "$value" -a "$value" != -
            set -a args $word (string replace -r '^~/' "$HOME/" -- $value)
        end
    end
    command $program $args list -o id --timeout 2 --retries 0 --no-color </dev/null 2>/dev/null
end

# __aktoken_comma_values VALUE...: a comma-separated list of VALUEs (--ordering, --columns).
function __aktoken_comma_values
    set -l token (string replace -r '^--[^=]*=' '' -- (commandline -ct))
    set -l prefix (string match -r '^.*,' -- $token)
    or set prefix ''
    printf '%s\n' $prefix$argv
end

complete -c aktoken -f

# Global options.
complete -c aktoken -l url -x -d 'authentik base URL'
complete -c aktoken -l token-file -r -F -d 'Read the API token from PATH (- for stdin)'
complete -c aktoken -l profile -x -a '(__aktoken_profiles)' -d 'Config file profile'
complete -c aktoken -l ca-file -r -F -d 'Trust the CA certificates in PATH'
complete -c aktoken -l insecure -d "Do not verify the server's TLS certificate"
complete -c aktoken -l timeout -x -d 'Whole-request timeout (seconds)'
complete -c aktoken -s o -l output -x -a 'table wide json jsonl tsv id' -d 'Output format'
complete -c aktoken -l retries -x -d 'Retries of failed requests, 0 to 10'
complete -c aktoken -l retry-max-time -x -d 'Give up retrying after this long (seconds)'
complete -c aktoken -s q -l quiet -d 'Only results, warnings and errors: no notes, no skipped tokens'
complete -c aktoken -l no-color -d 'Never colour the output'
complete -c aktoken -s v -l verbose -d 'Trace requests and responses, secrets redacted'
complete -c aktoken -l version -d 'Show the version and exit'
complete -c aktoken -s h -l help -d 'Show the help and exit'

# Commands.
complete -c aktoken -n __aktoken_needs_command -a get -d 'Show tokens'
complete -c aktoken -n __aktoken_needs_command -a update -d 'Change fields of tokens with a sparse PATCH'
complete -c aktoken -n __aktoken_needs_command -a list -d 'List tokens, following every page'
complete -c aktoken -n __aktoken_needs_command -a create -d 'Create a token'
complete -c aktoken -n __aktoken_needs_command -a delete -d 'Delete tokens'
complete -c aktoken -n __aktoken_needs_command -a view-key -d "Print a token's key"
complete -c aktoken -n __aktoken_needs_command -a set-key -d "Replace a token's key"
complete -c aktoken -n __aktoken_needs_command -a used-by -d 'Show what uses a token'
complete -c aktoken -n __aktoken_needs_command -a whoami -d 'Show the user the API token belongs to'
complete -c aktoken -n __aktoken_needs_command -a check -d 'Monitor expiry (monitoring-plugin exit codes)'
complete -c aktoken -n __aktoken_needs_command -a rotate -d 'Give tokens new keys without locking anyone out'
complete -c aktoken -n __aktoken_needs_command -a prune -d 'Delete retired generations whose overlap has ended'
complete -c aktoken -n __aktoken_needs_command -a completion -d 'Print a shell completion script'
complete -c aktoken -n __aktoken_needs_command -a config -d 'Show the resolved settings or the config file'

# Identifiers.
complete -c aktoken -n '__aktoken_using get update delete rotate prune check' -a '(__aktoken_identifiers)'
complete -c aktoken -n '__aktoken_first_argument view-key set-key used-by' -a '(__aktoken_identifiers)'

# Options of several commands.
complete -c aktoken -n '__aktoken_using get update delete rotate prune check' -l from-file -r -F \
    -d 'Also take identifiers from FILE, one a line (- for stdin)'
complete -c aktoken -n '__aktoken_using get update delete rotate prune check' -l parallel -x \
    -d 'Work on N tokens at once, 1 to 16'
complete -c aktoken -n '__aktoken_using list' -l parallel -x -d 'Fetch N pages at once, 1 to 16'
complete -c aktoken -n '__aktoken_using update create' -l intent -x -a 'api app_password' -d Intent
complete -c aktoken -n '__aktoken_using update create' -l description -x -d Description
complete -c aktoken -n '__aktoken_using update create rotate' -l expires -x \
    -d 'Expiry: RFC 3339, date, duration or never'
complete -c aktoken -n '__aktoken_using update create' -l managed -x -d 'Managed marker'
complete -c aktoken -n '__aktoken_using update create' -l strict \
    -d 'Fail when the server stores another value than requested'
complete -c aktoken -n '__aktoken_using update create' -l allow-expiry-reset \
    -d "Write even where authentik resets or ignores an api token's expiry"
complete -c aktoken -n '__aktoken_using create view-key set-key rotate' -l key-file -r -F -d 'Key file'
complete -c aktoken -n '__aktoken_using create rotate' -l show-key -d 'Print the new key'

# update
complete -c aktoken -n '__aktoken_using update' -l expiring -d 'Let the token expire'
complete -c aktoken -n '__aktoken_using update create' -l no-expiring -d 'Keep the token from expiring'
complete -c aktoken -n '__aktoken_using update' -l user -x -d 'Owner: a user pk or a username'
complete -c aktoken -n '__aktoken_using update' -l identifier -x -d 'Rename the token'
complete -c aktoken -n '__aktoken_using update' -l no-managed -d 'Clear the managed marker'
complete -c aktoken -n '__aktoken_using update' -l no-preserve -d 'Send only the given fields'
complete -c aktoken -n '__aktoken_using update' -l dry-run -d 'Print the request instead of sending it'

# create
complete -c aktoken -n '__aktoken_using create' -l user -x -d 'Owner: a user pk or a username'
complete -c aktoken -n '__aktoken_using create' -l if-not-exists \
    -d 'Exit 0 and print the existing token if the identifier is taken'

# list and check
complete -c aktoken -n '__aktoken_using list check' -l identifier -x -a '(__aktoken_identifiers)' \
    -d 'Only this identifier'
complete -c aktoken -n '__aktoken_using list check' -l intent -x \
    -a 'verification api recovery app_password' -d 'Only this intent'
complete -c aktoken -n '__aktoken_using list check' -l user -x -d 'Only tokens of this user (pk or username)'
complete -c aktoken -n '__aktoken_using list check' -l description -x -d 'Only this description'
complete -c aktoken -n '__aktoken_using list check' -l managed -x -d 'Only this managed marker'
complete -c aktoken -n '__aktoken_using list check' -l expiring -d 'Only tokens that expire'
complete -c aktoken -n '__aktoken_using list check' -l no-expiring -d 'Only tokens that do not expire'
complete -c aktoken -n '__aktoken_using list check' -l search -x \
    -d 'Substring of identifier, intent, username or description'
complete -c aktoken -n '__aktoken_using list check' -l ordering -x \
    -a '(__aktoken_comma_values identifier intent user description expires expiring managed pk -identifier -intent -user -description -expires -expiring -managed -pk)' \
    -d 'Sort fields, comma separated, - for descending'
complete -c aktoken -n '__aktoken_using list check' -l expiring-within -x \
    -d 'Expiring tokens whose expiry is at most DURATION away'
complete -c aktoken -n '__aktoken_using list check' -l expired -d 'Only expiring tokens past their expiry'
complete -c aktoken -n '__aktoken_using list check' -l limit -x -d 'Print at most N tokens'
complete -c aktoken -n '__aktoken_using list' -l columns -x \
    -a '(__aktoken_comma_values identifier pk intent user user.username user.pk description expires expiring managed)' \
    -d 'Columns for table, wide and tsv'
complete -c aktoken -n '__aktoken_using list check' -l no-headers -d 'No header line'

# check
complete -c aktoken -n '__aktoken_using check' -l warn -x -d 'WARNING when expiring within DURATION'
complete -c aktoken -n '__aktoken_using check' -l crit -x -d 'CRITICAL when expiring within DURATION'
complete -c aktoken -n '__aktoken_using check' -l prometheus -r -F -d 'Also write a node_exporter textfile'

# delete
complete -c aktoken -n '__aktoken_using delete' -s y -l yes -d 'Do not ask for confirmation'
complete -c aktoken -n '__aktoken_using delete' -l ignore-missing -d 'A missing token counts as deleted'

# set-key
complete -c aktoken -n '__aktoken_using set-key' -l key-stdin -d 'Read the new key from standard input'

# rotate
complete -c aktoken -n '__aktoken_using rotate' -l if-expiring-within -x \
    -d 'Rotate only tokens expiring within DURATION'
complete -c aktoken -n '__aktoken_using rotate' -l length -x -d 'Key length, 32 to 512'
complete -c aktoken -n '__aktoken_using rotate' -l verify -d 'Check that a new api key authenticates'
complete -c aktoken -n '__aktoken_using rotate' -l lock -r -F -d 'Hold an exclusive lock on FILE'
complete -c aktoken -n '__aktoken_using rotate' -l lock-timeout -x -d 'Wait this long for the lock'
complete -c aktoken -n '__aktoken_using rotate' -l overlap -x \
    -d 'A successor takes the name; the old key works DURATION longer'
complete -c aktoken -n '__aktoken_using rotate' -l no-expiring -d 'With --overlap: the successor never expires'
complete -c aktoken -n '__aktoken_using rotate' -l exec -x -d 'Deliver each new key on the stdin of /bin/sh -c CMD'
complete -c aktoken -n '__aktoken_using rotate' -l exec-timeout -x -d 'Kill --exec after this long'

# prune
complete -c aktoken -n '__aktoken_using prune' -l dry-run -d 'Show what would be deleted; delete nothing'

# completion and config
complete -c aktoken -n '__aktoken_first_argument completion' -a 'bash zsh fish' -d Shell
complete -c aktoken -n '__aktoken_first_argument config' -a show -d 'The resolved settings and their origins'
complete -c aktoken -n '__aktoken_first_argument config' -a path -d 'The config file in use'
