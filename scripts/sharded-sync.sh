#!/usr/bin/env bash
# sync.sh split into N shards by <last3> folder and run with GNU parallel, locally or on other hosts.
set -euo pipefail
script=sharded-sync.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
  cat <<'USAGE'
usage: sharded-sync.sh -N SHARDS [-S HOSTS] -s|-a [-p PATH] [-d DAYS] [-l LEVEL] [-max N] [-n PAGE] [-x B] [-y B] [-z B]
                       [--db DB]

Run one sync as SHARDS shards (a partition by <last3> folder: every key in exactly one shard) with
GNU parallel, and advance last_ran.config only when every shard succeeded (to the run's start, or
the earliest newest row of the shards' lambda files if that is earlier).

  -N SHARDS   number of shards (default 2)
  -S HOSTS    GNU parallel's --sshlogin: run shards on these hosts (e.g. "8/host1,8/host2"; ":" is
              this host). Without it, all shards run here, side by side, into one mirror.
  --db DB     also keep an orcid-db database current (needs -s). A PostgreSQL database — env:NAME
              (NAME holds a postgres:// URL; the form to use when the URL has a password) or a
              postgres:// URL — is loaded by every shard, on every host, at once; the URL reaches
              the shards in the environment (to other hosts on ssh's stdin), never on a command
              line. A DuckDB file (one writer) is loaded here, after all shards succeeded, from the
              summaries they placed: only without -S (one mirror); with -S use PostgreSQL
  other flags as sync.sh (--allow-bad-rows N counts each shard's bad rows)

The cutoff is computed once, here (from -d, last_ran.config in the current folder, or 30 days), and
given to every shard, so all shards sync the same window. last_ran.config and the lock live only on
this (the coordinating) host. Each host writes its shards' folders into its own PATH (the same path
on every host, where orcid-sync must be installed at the same place as here); the AWS settings
(keys, session token, profile, region, endpoint, proxy) go to each host on ssh's stdin, never on a
command line. A host's mirror then holds the folders of its shards, and the union over the hosts
is the whole mirror (rsync -a host:PATH/ORCID_public_data_files/ gathers them: shards never share
a file). The shards' failed items, from every host, are gathered in orcid_sync_errors.ndjson here.
USAGE
}

path=./ shards=2 hosts="" days="" level=INFO max=10 page=1000 db=""
summaries=0 activities=0
shard_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    -N) need_value "$1" "${2-}"; need_number "$1" "$2"; shards=$2; shift 2 ;;
    -S) need_value "$1" "${2-}"; hosts=$2; shift 2 ;;
    -p) need_value "$1" "${2-}"; path=$2; shift 2 ;;
    -s) summaries=1; shard_flags+=(-s); shift ;;
    -a) activities=1; shard_flags+=(-a); shift ;;
    -d) need_value "$1" "${2-}"; need_number "$1" "$2"; days=$2; shift 2 ;;
    -l) need_value "$1" "${2-}"; level=$2; shift 2 ;;
    -max) need_value "$1" "${2-}"; need_number "$1" "$2"; max=$2; shift 2 ;;
    -n) need_value "$1" "${2-}"; need_number "$1" "$2"; page=$2; shift 2 ;;
    -x | -y | -z) need_value "$1" "${2-}"; shard_flags+=("$1" "$2"); shift 2 ;;
    --allow-bad-rows) need_value "$1" "${2-}"; need_number "$1" "$2"; shard_flags+=("$1" "$2"); shift 2 ;;
    --db) need_value "$1" "${2-}"; db=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die 2 "unknown flag '$1' (see --help)" ;;
  esac
done
[ "$summaries" = 1 ] || [ "$activities" = 1 ] || die 2 "choose -s (summaries), -a (activities) or both"
[ "$shards" -ge 1 ] && [ "$shards" -le 1100 ] || die 2 "-N takes 1 to 1100"
[ -z "$db" ] || [ "$summaries" = 1 ] || die 2 "--db loads summaries: add -s"
command -v parallel >/dev/null || die 3 "GNU parallel is not installed (Debian: apt-get install parallel)"
mirror="${path%/}/ORCID_public_data_files"

# --db: PostgreSQL is loaded by the shards, through ORCID_SYNC_DB (exported to the shards here,
# sent on ssh's stdin to other hosts); a DuckDB file here, from the placed records the shards send back.
db_here=0
case "$db" in
  "") ;;
  env:* | postgres://* | postgresql://*)
    if [ "${db#env:}" != "$db" ]; then
      name=${db#env:}
      [ -n "${!name-}" ] || die 2 "--db $db: the environment variable $name is not set"
      ORCID_SYNC_DB=${!name}
    else
      ORCID_SYNC_DB=$db
    fi
    [ -n "$hosts" ] || export ORCID_SYNC_DB
    shard_flags+=(--db env:ORCID_SYNC_DB) ;;
  *)
    [ -z "$hosts" ] || die 2 "--db $db: a DuckDB file is loaded on this host from one mirror; with -S give a PostgreSQL database (env:NAME)"
    db_here=1
    shard_flags+=(--placed) ;;
esac

take_lock
# Each shard's lambda record: the state must not pass the newest row of any shard's lambda file.
reach=$(mktemp "${TMPDIR:-/tmp}/orcid-sync-reach.XXXXXX")
# With a DuckDB --db: the summaries the shards placed, loaded here once they all succeeded.
placed=$(mktemp "${TMPDIR:-/tmp}/orcid-sync-placed.XXXXXX")
trap 'rm -f "$reach" "$placed"; orcid-state unlock --pid $$ --log-level warn' EXIT
started=$(now_utc)
if [ -n "$days" ]; then
  # An absolute time, so shards that start at different moments sync the same window.
  since=$(date -u -d "-${days} days" +%Y-%m-%dT%H:%M:%S.%6NZ)
else
  since=$(orcid-state get --default 30d --log-level warn)
fi
echo "$script: $shards shards, records modified since $since" >&2

# settings: the AWS settings of this shell as NAME=VALUE lines (printf is a builtin: no process,
# so no command line, ever holds them).
settings_names=(AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE HTTPS_PROXY NO_PROXY ORCID_SYNC_DB)
settings() {
  local name
  for name in "${settings_names[@]}"; do
    [ -n "${!name-}" ] && printf '%s=%s\n' "$name" "${!name}"
  done
  return 0
}
for name in "${settings_names[@]}"; do
  case "${!name-}" in *$'\n'*) die 2 "$name holds a line break: it cannot be passed to the hosts" ;; esac
done

# run_shards: every shard, with GNU parallel; their error and lambda records on stdout.
run_shards() {
  local common=(--will-cite --halt never --line-buffer -j "$shards")
  local shard=("$here/sync-shard.sh" -p "$path" --since "$since" --shard "{}/$shards" "${shard_flags[@]}" -max "$max" -n "$page" -l "$level")
  if [ -z "$hosts" ]; then
    parallel "${common[@]}" "${shard[@]}" ::: $(seq 1 "$shards") </dev/null
    return
  fi
  # Credentials and the endpoint travel on ssh's stdin: parallel's --env would write them into
  # ssh's command line, which ps shows on both hosts. --pipe --tee gives every shard a copy.
  settings | parallel "${common[@]}" -S "$hosts" --pipe --tee "${shard[@]}" --settings-on-stdin ::: $(seq 1 "$shards")
}

run_shards | sed -n -e "/^{\"type\":\"error\"/w $errors_file" -e "/^{\"type\":\"lambda\",/w $reach" -e "/^{\"type\":\"placed\",/w $placed" || {
  status=$?
  echo "$script: $status shards failed" >&2
  run_failed 1
}
if [ "$db_here" = 1 ]; then
  # A failed load fails the run (the state stays); the rerun finds the files unchanged and loads them.
  to_db <"$placed" | sed -n "/^{\"type\":\"error\"/p" >>"$errors_file" || run_failed $?
fi
run_succeeded

save_state --time "$started" --records "$reach"
rm -f "$reach" "$placed"
echo "$script: done: all $shards shards" >&2
