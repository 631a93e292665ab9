#!/bin/sh
# SPDX-License-Identifier: MIT
# The live part of scripts/demo: watch a temporary directory with a WQL
# event query while files are created, changed and deleted there.
set -eu
WES=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/wes-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
query="SELECT * FROM __InstanceOperationEvent WHERE TargetInstance ISA 'CIM_DataFile' AND TargetInstance.Path = '$dir/'"
printf '\n$ wes watch --count 4 --timeout 20 "%s"\n' "$query"
"$WES" watch --count 4 --timeout 20 "$query" &
pid=$!
sleep 1
printf '\n[demo] echo hello > %s/report.txt\n' "$dir" >&2
echo hello >"$dir/report.txt"
sleep 0.5
printf '[demo] echo more >> %s/report.txt\n' "$dir" >&2
echo more >>"$dir/report.txt"
sleep 0.5
printf '[demo] touch %s/notes.md\n' "$dir" >&2
touch "$dir/notes.md"
sleep 0.5
printf '[demo] rm %s/report.txt\n' "$dir" >&2
rm "$dir/report.txt"
wait "$pid"
