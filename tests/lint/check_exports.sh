#!/bin/sh
# SPDX-License-Identifier: MIT
# Every dynamic symbol libwes exports must start with wes_ (never wes__).
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
      grep -v '^wes_' || true)
internal=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep '^wes__' || true)
if [ -n "$bad$internal" ]; then
  echo "not ok 1 - unexpected exported symbols:"
  echo "$bad $internal"
  exit 1
fi
echo "exports ok: $(nm -D --defined-only "$lib" | grep -c ' wes_') symbols"
