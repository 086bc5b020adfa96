#!/usr/bin/env bash
# One shard of a sharded sync (run by sharded-sync.sh on each host): the records of shard K of N
# changed since a given time, into this host's mirror. Does not touch last_ran.config; prints the
# lambda record (how far the lambda file reached) on stdout for the coordinator. With --db (a
# PostgreSQL database every shard loads into) the summaries it placed are loaded here; with
# --placed its placed records go to the coordinator too (which loads a DuckDB file after the shards).
set -euo pipefail
script=sync-shard.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

path=./ since="" shard="" max=10 page=1000 level=INFO settings_on_stdin=0 db="" placed=0
summaries=0 activities=0
list_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    -p) need_value "$1" "${2-}"; path=$2; shift 2 ;;
    --since) need_value "$1" "${2-}"; since=$2; shift 2 ;;
    --shard) need_value "$1" "${2-}"; shard=$2; shift 2 ;;
    -s) summaries=1; list_flags+=(-s); shift ;;
    -a) activities=1; list_flags+=(-a); shift ;;
    -max) need_value "$1" "${2-}"; max=$2; shift 2 ;;
    -n) need_value "$1" "${2-}"; page=$2; shift 2 ;;
    -l) need_value "$1" "${2-}"; level=$2; shift 2 ;;
    -x) need_value "$1" "${2-}"; list_flags+=(--summaries-bucket "$2"); shift 2 ;;
    -y) need_value "$1" "${2-}"; list_flags+=(--activities-bucket-base "$2"); shift 2 ;;
    -z) need_value "$1" "${2-}"; list_flags+=(--lambda-bucket "$2"); shift 2 ;;
    --settings-on-stdin) settings_on_stdin=1; shift ;;
    --db) need_value "$1" "${2-}"; db=$2; shift 2 ;;
    --placed) placed=1; shift ;;
    --allow-bad-rows) need_value "$1" "${2-}"; list_flags+=(--allow-bad-rows "$2"); shift 2 ;;
    *) die 2 "unknown flag '$1'" ;;
  esac
done
[ -n "$since" ] && [ -n "$shard" ] || die 2 "--since and --shard are required"
[ "$summaries" = 1 ] || [ "$activities" = 1 ] || die 2 "choose -s, -a or both"
mirror="${path%/}/ORCID_public_data_files"

# --settings-on-stdin: the AWS settings as NAME=VALUE lines on stdin, which sharded-sync.sh sends
# over ssh's stdin so that no command line (ps, on either host) and no log holds a secret.
if [ "$settings_on_stdin" = 1 ]; then
  while IFS= read -r line; do
    name=${line%%=*}
    case "$name" in
      AWS_PROFILE | AWS_REGION | AWS_DEFAULT_REGION | AWS_ACCESS_KEY_ID | AWS_SECRET_ACCESS_KEY | AWS_SESSION_TOKEN | \
        AWS_ENDPOINT_URL | AWS_CA_BUNDLE | HTTPS_PROXY | NO_PROXY | ORCID_SYNC_DB) export "$name=${line#*=}" ;;
      *) die 2 "--settings-on-stdin: not a setting it takes: '$name'" ;;
    esac
  done
fi

# Only the error records (gathered in the errors file), the lambda record (how far the lambda
# file reached) and with --placed the placed records go out, to sharded-sync.sh.
keep='/^{"type":"lambda",/p'
if [ "$placed" = 1 ]; then keep='/^{"type":"\(lambda\|placed\)",/p'; fi
orcid-list --since "$since" --shard "$shard" "${list_flags[@]}" -j "$max" -n "$page" --log-level "$level" </dev/null |
  orcid-fetch -j "$max" --into "$mirror" --shard "$shard" --log-level "$level" |
  to_db |
  sed -n -e '/^{"type":"error"/p' -e "$keep"
