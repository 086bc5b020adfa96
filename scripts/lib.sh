# Shared by the orcid-sync scripts: the tools on PATH, flag helpers, the lock.
# shellcheck shell=bash

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATH="$here/../node_modules/.bin:$PATH"
export PATH

# die CODE MESSAGE: one line on stderr, prefixed with the script's name.
die() {
  local code=$1
  shift
  echo "$script: error: $*" >&2
  exit "$code"
}

# need_value FLAG VALUE: a flag that takes a value must have one.
need_value() {
  [ -n "${2-}" ] && [ "${2#-}" = "$2" ] || die 2 "$1 needs a value (see --help)"
}

# need_number FLAG VALUE
need_number() {
  case "$2" in '' | *[!0-9]*) die 2 "$1 takes a whole number, not '$2'" ;; esac
}

# The run's start time, as orcid-state set reads it (UTC, microseconds).
now_utc() {
  date -u +%Y-%m-%dT%H:%M:%S.%6NZ
}

# take_lock: one run at a time per state file (last_ran.config in the current folder); released on exit.
take_lock() {
  orcid-state lock --pid $$ --log-level warn || exit 3
  trap 'orcid-state unlock --pid $$ --log-level warn' EXIT
}

# print_written [FILE]: with -v, the path of every file written (from orcid-place's records); the
# lambda records (how far the lambda file reached, for orcid-state set --records) saved in FILE.
print_written() {
  local keep=${1:-/dev/null}
  if [ "$verbose" = 1 ]; then
    sed -n -e "/^{\"type\":\"lambda\",/w $keep" -e 's/^{"type":"placed","action":"written","path":"\([^"]*\)".*/\1/p'
  else
    sed -n "/^{\"type\":\"lambda\",/w $keep"
  fi
}

# pack_mirror MIRROR: the reference's -t archives of what was synced, in the current folder.
pack_mirror() {
  if [ "$summaries" = 1 ]; then orcid-pack --from "$1/summaries" --reference-name || return; fi
  if [ "$activities" = 1 ]; then orcid-pack --from "$1/activities" --reference-name || return; fi
}
