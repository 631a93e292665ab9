# SPDX-License-Identifier: MIT
# Sourced by scripts/demo and scripts/test: installs the Debian packages a
# step needs, or prints the exact list and exits non-zero when it cannot.

wes_need_packages() {
  missing=""
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed'; then
      missing="$missing $p"
    fi
  done
  [ -z "$missing" ] && return 0
  echo "wes: installing Debian packages:$missing"
  if [ "$(id -u)" = 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "wes: cannot install packages (not root, no sudo). Run:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends $missing; then
    $SUDO apt-get update -q || true
    if ! $SUDO apt-get install -y --no-install-recommends $missing; then
      echo "wes: apt-get failed. Packages needed:$missing" >&2
      exit 1
    fi
  fi
}

# What every build needs.
WES_BUILD_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libuv1-dev uthash-dev python3 binutils"
# What the test suites need on top.
WES_TEST_PACKAGES="g++ clang libclang-rt-14-dev libcmocka-dev"
