#!/usr/bin/env bash
# An orcid-db database from a mirror folder or from ORCID's yearly summaries archives.
set -euo pipefail
script=build-db.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
usage: build-db.sh DB (--mirror DIR | ARCHIVE…) [--links] [-j N] [-l LEVEL]

Build (or bring up to date) the orcid-db database DB from every summary of a mirror folder
(--mirror DIR: ORCID_public_data_files or its summaries/ folder), or from ORCID's yearly summaries
archives (ORCID_2025_10_summaries.tar.gz …; - reads one from stdin). Each iD's records replace
what DB holds for it, so building over an existing database is a full refresh.

  --mirror DIR  read the summaries of this mirror folder
  --links       store links only (orcid-extract --links): no works, affiliations or fundings
  -j N          threads parsing summaries (default: every core)
  -l LEVEL      log level: DEBUG, INFO (default), WARN, ERROR

Keep DB current afterwards with sync.sh --db DB over the same mirror. Exit 0 when every summary was
loaded. When a stage fails — an archive that ends early, a summary folder that cannot be read — the
load stops there and is recorded as incomplete (orcid-db sql DB "SELECT * FROM loads"), and the
exit status is not 0; the iDs loaded before it are kept, and a rerun loads everything again. Failed
items (summaries that do not parse…) are in orcid_sync_errors.ndjson in the current folder.
USAGE
}

db="" mirror="" links=() threads=() level=INFO archives=()
while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) need_value "$1" "${2-}"; mirror=$2; shift 2 ;;
    --links) links=(--links); shift ;;
    -j) need_value "$1" "${2-}"; need_number "$1" "$2"; threads=(-j "$2"); shift 2 ;;
    -l) need_value "$1" "${2-}"; level=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -) archives+=("$1"); shift ;;
    -*) die 2 "unknown flag '$1' (see --help)" ;;
    *) if [ -z "$db" ]; then db=$1; else archives+=("$1"); fi; shift ;;
  esac
done
[ -n "$db" ] || die 2 "name the database file (see --help)"
if [ -n "$mirror" ]; then
  [ ${#archives[@]} = 0 ] || die 2 "give --mirror DIR or archives, not both"
  [ -d "$mirror" ] || die 2 "--mirror: no folder '$mirror'"
else
  [ ${#archives[@]} -gt 0 ] || die 2 "give --mirror DIR or the summaries archives to read"
fi

# records: the extracted records of the mirror or archives. A stage that stopped early (exit 2 or
# more; 1 is "some items failed", after reading everything) ends the stream in the middle of a
# line, which orcid-db load reads as its producer dying: the load is recorded as incomplete (and
# exits 1) rather than as a complete build of part of the data.
records() {
  local statuses worst=0 stopped=0
  set +e
  if [ -n "$mirror" ]; then
    orcid-extract --from "$mirror" "${links[@]}" "${threads[@]}" --log-level "$level"
    statuses=("${PIPESTATUS[@]}")
  else
    orcid-unpack --only summaries "${archives[@]}" --log-level "$level" |
      orcid-extract "${links[@]}" "${threads[@]}" --log-level "$level"
    statuses=("${PIPESTATUS[@]}")
  fi
  set -e
  for status in "${statuses[@]}"; do
    [ "$status" -gt 1 ] && stopped=1
    [ "$status" -gt "$worst" ] && worst=$status
  done
  if [ "$stopped" = 1 ]; then printf '{"type":"cut","by":"%s"' "$script"; fi
  return "$worst"
}

records | orcid-db load "$db" --wait-lock "$db_wait" --log-level "$level" | sed -n "/^{\"type\":\"error\"/w $errors_file" || {
  status=$?
  [ -s "$errors_file" ] && echo "$script: $(wc -l <"$errors_file") items failed; every one is in $errors_file" >&2
  echo "$script: the load stopped or some items failed (orcid-db sql $db \"SELECT * FROM loads\"); run again" >&2
  exit "$status"
}
run_succeeded
echo "$script: done: $db" >&2
