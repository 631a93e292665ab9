#!/bin/sh
# SPDX-License-Identifier: MIT
# The live part of scripts/demo: `wes watch` on a temporary directory while
# files are created, changed and deleted there. Events print as JSON lines.
set -eu
WES=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/wes-demo.XXXXXX")
err=$(mktemp "${TMPDIR:-/tmp}/wes-demo-err.XXXXXX")
trap 'rm -rf "$dir" "$err"' EXIT
query="SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA 'CIM_DataFile' AND TargetInstance.Path = '$dir/'"
printf '\n$ wes watch --count 3 --timeout 30 "%s"\n' "$query"
"$WES" watch --count 3 --timeout 30 "$query" 2>"$err" &
pid=$!
# Wait until the subscription is live (wes watch says so on stderr).
n=0
until grep -q watching "$err" || [ $n -ge 100 ]; do
  sleep 0.1
  n=$((n + 1))
done
cat "$err" >&2
printf '[demo] echo hello > %s/report.txt\n' "$dir" >&2
echo hello >"$dir/report.txt"
sleep 0.3
printf '[demo] echo more >> %s/report.txt\n' "$dir" >&2
echo more >>"$dir/report.txt"
sleep 0.3
printf '[demo] rm %s/report.txt\n' "$dir" >&2
rm "$dir/report.txt"
status=0
wait "$pid" || status=$?
exit $status
