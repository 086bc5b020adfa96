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

# take_lock [--clear-checkpoints]: one run at a time per state file (last_ran.config in the current
# folder); released on exit, or by save_state. With --clear-checkpoints, the resume checkpoints are
# cleared once the lock is held (in the same process: each tool's start costs more than the work).
take_lock() {
  orcid-state lock --pid $$ "$@" --log-level warn || exit 3
  trap 'orcid-state unlock --pid $$ --log-level warn' EXIT
}

# save_state ARGS…: the run's last step, orcid-state set ARGS… that also releases the lock (one
# process, not two); the exit trap then has nothing left to release.
save_state() {
  orcid-state set "$@" --unlock --pid $$ --log-level warn
  trap - EXIT
}

# The run's failed items, every error record of every stage, in the run folder (where
# last_ran.config lives); written by each run, removed by a run that succeeds.
errors_file="$PWD/orcid_sync_errors.ndjson"

# print_written [FILE]: with -v, the path of every file written (from orcid-place's records); error
# records go to the errors file, the lambda records (how far the lambda file reached, for
# orcid-state set --records) to FILE.
print_written() {
  local keep=${1:-/dev/null}
  if [ "$verbose" = 1 ]; then
    sed -n -e "/^{\"type\":\"error\"/w $errors_file" -e "/^{\"type\":\"lambda\",/w $keep" \
      -e 's/^{"type":"placed","action":"written","path":"\([^"]*\)".*/\1/p'
  else
    sed -n -e "/^{\"type\":\"error\"/w $errors_file" -e "/^{\"type\":\"lambda\",/w $keep"
  fi
}

# run_failed STATUS: a pipeline failed; say how many items failed and where they all are (the
# tools named the first of them above), then exit with its status.
run_failed() {
  if [ -s "$errors_file" ]; then
    echo "$script: $(wc -l <"$errors_file") items failed; every one (key, reason) is in $errors_file" >&2
  fi
  echo "$script: last_ran.config is unchanged; run again" >&2
  exit "$1"
}

# run_succeeded: no item failed; an errors file of an earlier run is out of date.
run_succeeded() {
  rm -f "$errors_file"
}

# pack_mirror MIRROR: the reference's -t archives of what was synced, in the current folder.
pack_mirror() {
  if [ "$summaries" = 1 ]; then orcid-pack --from "$1/summaries" --reference-name || return; fi
  if [ "$activities" = 1 ]; then orcid-pack --from "$1/activities" --reference-name || return; fi
}

# With --db: how long a load waits for a reader (or another load) holding the database.
db_wait=600

# to_db: with --db DB, the summaries the run placed (or left unchanged: a rerun after a failed load
# loads them again) are extracted from the mirror and loaded into DB; every other record passes on,
# a checkpoint only once what came before it is committed. Without --db, records pass unchanged.
to_db() {
  if [ -z "$db" ]; then
    cat
    return
  fi
  orcid-extract --mirror "$mirror" --unchanged --log-level "$level" |
    orcid-db load "$db" --wait-lock "$db_wait" --log-level "$level"
}
