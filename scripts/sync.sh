#!/usr/bin/env bash
# The changes since the last run, with the flags and on-disk layout of the reference sync.py.
set -euo pipefail
script=sync.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
usage: sync.sh -s|-a [-p PATH] [-d DAYS] [-l LEVEL] [-max N] [-n PAGE] [-x BUCKET] [-y BASE] [-z BUCKET] [-t] [-v]
               [--allow-bad-rows N]

Bring PATH/ORCID_public_data_files/ up to date with the records changed since the last run, as the
reference sync.py does — and, unlike it, remove activities deleted upstream. The cutoff is -d DAYS
if given, else last_ran.config in the current folder (less an hour of overlap), else 30 days.

  -p PATH     mirror root (default ./)
  -s          summaries
  -a          activities
  -d DAYS     sync the records modified in the last DAYS days
  -l LEVEL    log level: DEBUG, INFO (default), WARN, ERROR
  -max N      parallel downloads (default 10)
  -n PAGE     listing page size (default 1000)
  -x BUCKET   summaries bucket (default v3.0-summaries)
  -y BASE     activities bucket base (default v3.0-activities)
  -z BUCKET   lambda file bucket (default orcid-lambda-file)
  -t          afterwards, write the reference's .tar.gz archives of the mirror here
  -v          print each file name as it is written
  --db DB     also keep the orcid-db database DB current: the summaries this run placed are
              extracted and loaded in the same run (a failed load fails the run; the rerun loads
              them again). Needs -s; -v then lists the activity files only
  --allow-bad-rows N
              accept up to N bad rows in the lambda file (default 0: a bad row fails the run)

last_ran.config advances only when every stage succeeded (a missing object is not a failure;
bad rows in the lambda file are, beyond --allow-bad-rows N); after a failure, run
it again. It advances to this run's start time, or to the newest row of the lambda file read if
that is earlier (ORCID regenerates the file on its own schedule), and says so when the lambda file
is older than the last run. last_ran.config.utc beside it keeps the same instant in UTC.
The tools name the first failed items on stderr; every one is in orcid_sync_errors.ndjson in
the current folder (removed by a run that succeeds). A second sync while one runs is refused.
USAGE
}

db="" path=./ summaries=0 activities=0 days="" level=INFO max=10 page=1000 tar=0 verbose=0 bad_rows=0
summaries_bucket=v3.0-summaries activities_base=v3.0-activities lambda_bucket=orcid-lambda-file
while [ $# -gt 0 ]; do
  case "$1" in
    -p) need_value "$1" "${2-}"; path=$2; shift 2 ;;
    -s) summaries=1; shift ;;
    -a) activities=1; shift ;;
    -d) need_value "$1" "${2-}"; need_number "$1" "$2"; days=$2; shift 2 ;;
    -l) need_value "$1" "${2-}"; level=$2; shift 2 ;;
    -max) need_value "$1" "${2-}"; need_number "$1" "$2"; max=$2; shift 2 ;;
    -n) need_value "$1" "${2-}"; need_number "$1" "$2"; page=$2; shift 2 ;;
    -x) need_value "$1" "${2-}"; summaries_bucket=$2; shift 2 ;;
    -y) need_value "$1" "${2-}"; activities_base=$2; shift 2 ;;
    -z) need_value "$1" "${2-}"; lambda_bucket=$2; shift 2 ;;
    -t) tar=1; shift ;;
    -v) verbose=1; shift ;;
    --db) need_value "$1" "${2-}"; db=$2; shift 2 ;;
    --allow-bad-rows) need_value "$1" "${2-}"; need_number "$1" "$2"; bad_rows=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown flag '$1' (see --help)" ;;
  esac
done
[ "$summaries" = 1 ] || [ "$activities" = 1 ] || die 2 "choose -s (summaries), -a (activities) or both"
[ -z "$db" ] || [ "$summaries" = 1 ] || die 2 "--db loads summaries: add -s"

mirror="${path%/}/ORCID_public_data_files"
what=()
[ "$summaries" = 1 ] && what+=(-s)
[ "$activities" = 1 ] && what+=(-a)

take_lock
# The lambda records from the end of the pipe: the state must not pass the lambda file's newest row.
reach=$(mktemp "${TMPDIR:-/tmp}/orcid-sync-reach.XXXXXX")
trap 'rm -f "$reach"; orcid-state unlock --pid $$ --log-level warn' EXIT
started=$(now_utc)
if [ -n "$days" ]; then since="${days}d"; else since=$(orcid-state get --default 30d --log-level warn); fi
echo "$script: syncing records modified since $since" >&2

orcid-list --since "$since" "${what[@]}" -j "$max" -n "$page" --summaries-bucket "$summaries_bucket" \
  --activities-bucket-base "$activities_base" --lambda-bucket "$lambda_bucket" --allow-bad-rows "$bad_rows" --log-level "$level" |
  orcid-fetch -j "$max" --into "$mirror" --log-level "$level" |
  to_db |
  print_written "$reach" ||
  run_failed $?
run_succeeded

[ "$tar" = 1 ] && pack_mirror "$mirror"
save_state --time "$started" --records "$reach"
rm -f "$reach"
echo "$script: done: $mirror" >&2
