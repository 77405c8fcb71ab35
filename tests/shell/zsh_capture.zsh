#!/usr/bin/env zsh
# SPDX-License-Identifier: MIT
# Prints the candidates zsh's completion system offers for a command line, one a line (sorted,
# unique): runs an interactive `zsh -f -i` on a pseudo-terminal (zsh/zpty) with compinit and
# completions/_aktoken on $fpath, types LINE and a TAB, and records every match that reaches
# compadd (a wrapper that asks the real compadd for the matches with -O). Completion is ended
# with `exit` in comppostfuncs, so nothing is ever inserted or run. A match is printed with the
# ignored prefix completion keeps (e.g. `user,` of `--ordering user,-e`).
# Usage: zsh -f zsh_capture.zsh COMPLETIONS_DIR LINE
# With AKTOKEN_CAPTURE_SOURCE=FILE, FILE is also sourced after compinit (as users do with
# `source <(aktoken completion zsh)`). With AKTOKEN_CAPTURE_ZCOMPDUMP=FILE, compinit keeps its
# dump in FILE (written by the first run, read by the next ones, as in a user's shell; compinit
# writes it again when the files on $fpath change); without it compinit reads every completion
# function's first line each time (-D), which takes most of a second.
emulate -L zsh
zmodload zsh/zpty || exit 77
zmodload zsh/datetime
zmodload zsh/zselect

local completions_dir=$1 line=$2
local scratch=$(mktemp -d ${TMPDIR:-/tmp}/aktoken-zsh-capture.XXXXXX)
local out=$scratch/candidates done=$scratch/done ready=$scratch/ready

cat >$scratch/setup.zsh <<SETUP
PS1= PS2= RPS1= PROMPT= RPROMPT=
export ZDOTDIR=$scratch
fpath=(${(q)completions_dir} \$fpath)
autoload -U compinit
if [[ -n \$AKTOKEN_CAPTURE_ZCOMPDUMP ]]; then
  compinit -u -d \$AKTOKEN_CAPTURE_ZCOMPDUMP
else
  compinit -u -D
fi
[[ -n \$AKTOKEN_CAPTURE_SOURCE ]] && source \$AKTOKEN_CAPTURE_SOURCE
zstyle ':completion:*' verbose no
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd "\$@"
    return
  fi
  local -a __capture_hits
  builtin compadd -O __capture_hits "\$@"
  (( \$#__capture_hits )) && print -rl -- \$IPREFIX\${^__capture_hits} >>${(q)out}
  builtin compadd "\$@"
}
_capture_done() {
  print done >${(q)done}
  exit
}
comppostfuncs=(_capture_done)
bindkey '^I' complete-word
# Typing starts only once the line editor is reading: typeahead never races its start.
_capture_ready() { print ready >${(q)ready} }
zle -N zle-line-init _capture_ready
SETUP
touch $out

export TERM=xterm
zpty capture zsh -f -i
zpty -w capture "source ${(q)scratch}/setup.zsh"

local chunk deadline=$(( EPOCHREALTIME + 20 ))
while [[ ! -e $ready ]] && (( EPOCHREALTIME < deadline )); do
  zpty -r -t capture chunk 2>/dev/null
  zselect -t 1  # 10 ms
done
zpty -w -n capture "$line"$'\t'
while [[ ! -e $done ]] && (( EPOCHREALTIME < deadline )); do
  zpty -r -t capture chunk 2>/dev/null
  zselect -t 1
done
zpty -d capture 2>/dev/null
if [[ ! -e $done ]]; then
  print -u2 "zsh_capture: no completion for ${(qq)line} within 20 s"
  rm -rf $scratch
  exit 2
fi
print -rl -- ${(ou)${(f)"$(<$out)"}}
rm -rf $scratch
