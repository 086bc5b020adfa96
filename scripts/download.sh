#!/usr/bin/env bash
# A full copy of ORCID's public data, with the flags and on-disk layout of the reference download.py.
set -euo pipefail
script=download.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
usage: download.sh -s|-a [-p PATH] [-t] [-r] [-max N] [-v] [-n PAGE] [-x BUCKET] [-y BASE] [-l LEVEL]

Download every summary (-s) and/or activity (-a) into PATH/ORCID_public_data_files/, as the
reference download.py does. Run files stay in the current folder: last_ran.config (this run's start
time, written when it succeeds; after -r, the start of the run it resumes), the lock, and the resume
checkpoints with that start (orcid_sync_download_started).

  -p PATH     mirror root; files go under PATH/ORCID_public_data_files/ (default ./)
  -s          summaries
  -a          activities (a manifest per iD also removes local files deleted upstream)
  -t          afterwards, write ORCID-API-3.0_xml_<month>_<year>.tar.gz (and _activities_) here
  -r          resume an interrupted download: skip the folders it finished
  -max N      parallel downloads (default 60)
  -v          print each file name as it is written
  -n PAGE     listing page size (default 1000)
  -x BUCKET   summaries bucket (default v3.0-summaries)
  -y BASE     activities bucket base (default v3.0-activities, + -a/-b/-c)
  -l LEVEL    log level: DEBUG, INFO (default), WARN, ERROR
  --db DB     also keep the orcid-db database DB current: the summaries this run placed are
              extracted and loaded in the same run (a failed load fails the run; the rerun loads
              them again). Needs -s; -v then lists the activity files only

Files already in the mirror with the object's size and time are not downloaded again. AWS access
comes from the usual places (AWS_PROFILE, AWS_ACCESS_KEY_ID…, AWS_ENDPOINT_URL for another store).
Exit 0 when everything was downloaded; otherwise the state is not advanced and a rerun (with -r)
picks up where this one stopped. The tools name the first failed items on stderr; every one is in
orcid_sync_errors.ndjson in the current folder (removed by a run that succeeds).
USAGE
}

db="" path=./ summaries=0 activities=0 tar=0 recover=0 max=60 verbose=0 page=1000
summaries_bucket=v3.0-summaries activities_base=v3.0-activities level=INFO
while [ $# -gt 0 ]; do
  case "$1" in
    -p) need_value "$1" "${2-}"; path=$2; shift 2 ;;
    -s) summaries=1; shift ;;
    -a) activities=1; shift ;;
    -t) tar=1; shift ;;
    -r) recover=1; shift ;;
    -max) need_value "$1" "${2-}"; need_number "$1" "$2"; max=$2; shift 2 ;;
    -v) verbose=1; shift ;;
    -n) need_value "$1" "${2-}"; need_number "$1" "$2"; page=$2; shift 2 ;;
    -x) need_value "$1" "${2-}"; summaries_bucket=$2; shift 2 ;;
    -y) need_value "$1" "${2-}"; activities_base=$2; shift 2 ;;
    -l) need_value "$1" "${2-}"; level=$2; shift 2 ;;
    --db) need_value "$1" "${2-}"; db=$2; shift 2 ;;
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
resume=()
[ "$recover" = 1 ] && resume=(--resume)

if [ "$recover" = 1 ]; then take_lock; else take_lock --clear-checkpoints; fi
# The state a download saves is the start of the run that began it: a resumed run (-r) skips the
# folders the interrupted one listed, so changes made in them since are for the next sync to fetch.
started_file=orcid_sync_download_started
if [ "$recover" = 1 ] && [ -e "$started_file" ]; then
  started=$(cat "$started_file")
  [[ $started =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] ||
    die 3 "cannot resume: $started_file holds '$started', not the start time of a run; remove it to resume with this run's start"
else
  started=$(now_utc)
  # Written whole or not at all: an empty file would make a resumed run save its own, later, start.
  echo "$started" >"$started_file.tmp"
  mv -f "$started_file.tmp" "$started_file"
fi

list_all() {
  orcid-list --all "${what[@]}" "${resume[@]}" -j "$max" -n "$page" \
    --summaries-bucket "$summaries_bucket" --activities-bucket-base "$activities_base" --log-level "$level"
}
if [ -z "$db" ]; then
  # orcid-fetch records the checkpoints itself: no process of their own.
  list_all | orcid-fetch -j "$max" --into "$mirror" --checkpoints orcid_sync_checkpoints.ndjson --log-level "$level" |
    print_written ||
    run_failed $?
else
  # A checkpoint is recorded only once the load committed what came before it.
  list_all | orcid-fetch -j "$max" --into "$mirror" --log-level "$level" |
    to_db |
    orcid-state checkpoints record --log-level "$level" |
    print_written ||
    run_failed $?
fi
run_succeeded

[ "$tar" = 1 ] && pack_mirror "$mirror"
save_state --time "$started" --clear-checkpoints
rm -f "$started_file"
echo "$script: done: $mirror" >&2
