#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every public function (WES_API) must carry a doc comment.

A declaration counts as documented when a /* ... */ comment ends right
before it, or before the run of WES_API declarations it belongs to (a
group such as *_ref/*_unref sharing one comment). Also every public header
must say which threads may call it ("Thread" appears in the file).
"""
import glob
import os
import sys


def check(path):
    errors = []
    lines = open(path, encoding="utf-8").read().split("\n")
    text = "\n".join(lines)
    if "WES_API" in text and "Thread" not in text:
        errors.append("%s: no thread rules (\"Thread:\") anywhere" % path)
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("WES_API") and \
                not lines[i].rstrip().endswith("\\") and \
                not lines[i - 1].rstrip().endswith("\\"):
            j = i - 1
            # Walk back over the previous declarations of a group.
            while j >= 0:
                s = lines[j].strip()
                if s.endswith("*/"):
                    break
                if s == "" or s.startswith("#define WES__") or (
                        not s.startswith("WES_API") and s.endswith(";")
                        and j > 0 and "WES_API" in "".join(lines[max(0, j - 4):j + 1])):
                    j -= 1
                    continue
                if s.startswith("WES_API") or s.startswith("WES__DECLARE"):
                    j -= 1
                    continue
                if s.endswith(",") or s.endswith("(") or s.endswith(");"):
                    j -= 1
                    continue
                break
            if j < 0 or not lines[j].strip().endswith("*/"):
                errors.append("%s:%d: undocumented: %s" %
                              (path, i + 1, lines[i].strip()))
        i += 1
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    errs = []
    for h in sorted(glob.glob(os.path.join(root, "include", "wes", "*.h"))):
        errs += check(h)
    for e in errs:
        print(e)
    if errs:
        print("not ok: %d undocumented declarations" % len(errs))
        return 1
    print("all public declarations documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
