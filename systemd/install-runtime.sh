#!/bin/sh
# Production install of the terminal's software, separate from the development one (setup.sh):
# runtime Debian packages only (no vsmartcard-vpcd, no Xvfb, no test tools, no nginx, no node)
# and the Python runtime dependencies only, pinned with hashes in requirements/runtime.lock,
# into <app>/.venv; then the app itself with --no-deps. Then install the units:
#   sh systemd/install-runtime.sh                      # as root, in the checkout at /opt/kiosk
#   sh systemd/install.sh --devices /etc/kiosk/devices.env
# --no-apt skips the Debian packages (an image build that installs them itself, a trial run).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
APP_DIR=$(dirname "$HERE")
APT=yes
PYTHON=/usr/bin/python3
for arg in "$@"; do
    case "$arg" in
        --no-apt) APT=no ;;
        *) echo "usage: $0 [--no-apt]" >&2; exit 2 ;;
    esac
done

# What the terminal runs: the interpreter, libraries the wheels load, pcscd, SANE, the
# compositor, fonts and the voice. python3-dev, gcc and libsane-dev only because python-sane
# exists as source alone (it is built here, from its hashed sdist).
RUNTIME_PACKAGES="python3 python3-venv python3-dev gcc libsane-dev
  pcscd libpcsclite1 libzbar0 libgl1 libglib2.0-0 libmtdev1
  cage xwayland fonts-noto-cjk fonts-material-design-icons-iconfont espeak-ng alsa-utils
  systemd polkitd"

if [ "$APT" = yes ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $RUNTIME_PACKAGES
fi
if dpkg-query -W -f='${Status}' vsmartcard-vpcd 2>/dev/null | grep -q "install ok installed"; then
    echo "warning: vsmartcard-vpcd (a virtual card reader listening on the network) is" \
         "installed: apt-get purge vsmartcard-vpcd; kiosk doctor fails while it is there" >&2
fi

VENV="$APP_DIR/.venv"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PIP="$VENV/bin/python -m pip --disable-pip-version-check"
# Build tools first (hashed too), so that building python-sane fetches nothing unchecked.
$PIP install -q --require-hashes --no-deps -r "$APP_DIR/requirements/build.lock"
$PIP install -q --require-hashes --no-deps --no-build-isolation \
    -r "$APP_DIR/requirements/runtime.lock"
$PIP install -q --no-deps --no-build-isolation "$APP_DIR"
$PIP check
# Marks this venv as a production install: kiosk doctor then refuses a virtual card reader.
# In the venv (root's, read-only to every unit), so no configuration layer can flip it.
touch "$VENV/kiosk-production"
echo "installed the runtime into $VENV (production); now: sh systemd/install.sh --devices FILE"
