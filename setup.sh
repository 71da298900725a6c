#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (root, no display, nothing installed):
#   bash setup.sh demo   install everything, play a citizen's apply journey on the emulators and
#                        the reference platform (under Xvfb without a display); prints the folder
#                        of screenshots and printed receipts
#   bash setup.sh test   install everything, run the whole test suite
# Everything a machine needs is installed here and nowhere else, so CI and a newcomer match.
set -euo pipefail
cd "$(dirname "$0")"
MODE="${1:-demo}"
VENV="${KIOSK_VENV:-.venv}"

DEBIAN_PACKAGES=(
  python3 python3-venv python3-dev gcc pkg-config      # interpreter and build tools for pyscard/python-sane
  libzbar0                                             # pyzbar
  pcscd libpcsclite-dev swig vsmartcard-vpcd            # PC/SC stack, pyscard build, virtual reader
  libsane-dev sane-utils                               # python-sane build, SANE test backend
  xvfb fonts-noto-cjk                                  # Kivy on a headless machine, Chinese glyphs
  fonts-material-design-icons-iconfont                 # the screens' icons (Material Icons, Apache-2.0)
  xdotool                                              # tests: real X key events (keyboard lock-down)
  libgl1 libglib2.0-0 libmtdev1                        # OpenCV / Kivy runtime libraries
  socat procps                                         # pty helpers, pgrep/pkill used by tests
  espeak-ng alsa-utils                                 # offline voice guidance and its player
  nginx-light                                          # bench/fleet_bench.py serves the fleet repository
  systemd nodejs                                       # systemd-analyze verify; the polkit rule's test
  python3-seccomp util-linux                           # the units' sandboxes approximated in tests (seccomp, unshare, setpriv)
  cups-ipp-utils dbus poppler-utils                    # the A4 printer's emulator (ippeveprinter, its private bus), reading pages back
  cups cups-client                                     # bench/a4_bench.py: a private cupsd queue and a bare `lp`
  chromium postgresql                                  # the console's browser tests; its PostgreSQL store (tests start a private server)
)

install_debian_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_python_project() {
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[test,console]"
  # the project's bytecode, written once: with PYTHONDONTWRITEBYTECODE set (as on these
  # machines) every app, simulation and CLI process compiled the project again (0.4 s a start)
  "$VENV/bin/python" -m compileall -q -j 0 kiosk drivers screens >/dev/null
}

install_debian_packages
install_python_project
export PATH="$PWD/$VENV/bin:$PATH"

case "$MODE" in
  demo)
    shift || true
    exec "$VENV/bin/kiosk" demo "$@"
    ;;
  test)
    shift || true
    set +e
    # three workers (pytest-xdist), a test file each at a time, the longest files first
    # (tests/conftest.py): the UI tests wait on screens, devices and timers, and with two
    # workers the two cores were idle a third of the run (vmstat, 5 Dec: 20 min 37 s with two,
    # 16 min 34 s with three, on a fresh clone)
    "$VENV/bin/python" -m pytest -n "${KIOSK_TEST_WORKERS:-3}" --dist loadfile "$@"
    rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
      echo "setup: pytest collected no tests: that is a failure, not a pass" >&2
      exit 1
    fi
    exit "$rc"
    ;;
  *)
    echo "usage: bash setup.sh demo|test [pytest args]" >&2
    exit 2
    ;;
esac
