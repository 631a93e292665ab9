#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/errors.md is generated from the status-code table; it must be current.
# Regenerate with: build/tests/lint/gen_errors_md > docs/errors.md
set -eu
gen=$1
doc=$2
if ! "$gen" | diff -u "$doc" -; then
  echo "docs/errors.md is stale: regenerate it with $gen > docs/errors.md"
  exit 1
fi
