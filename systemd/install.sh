#!/bin/sh
# Install the kiosk's systemd units, udev rules, journald limits, polkit rule, user and PAM
# service. Run as root on the terminal:   sh systemd/install.sh --devices /etc/kiosk/devices.env
# or into an image / a test directory:    sh systemd/install.sh --root DIR   (nothing started)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=/
APP_DIR=/opt/kiosk
CAGE=/usr/bin/cage
SITE_CONFIG=/etc/kiosk/site.toml
DEVICES=

usage() {
    echo "usage: $0 [--root DIR] [--app DIR] [--cage PATH] [--site-config FILE] [--devices FILE]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=${2:?}; shift 2 ;;
        --app) APP_DIR=${2:?}; shift 2 ;;
        --cage) CAGE=${2:?}; shift 2 ;;
        --site-config) SITE_CONFIG=${2:?}; shift 2 ;;
        --devices) DEVICES=${2:?}; shift 2 ;;
        -h|--help) usage ;;
        *) echo "unknown option: $1" >&2; usage ;;
    esac
done

for path in "$APP_DIR" "$CAGE" "$SITE_CONFIG"; do
    case "$path" in
        /*) ;;
        *) echo "error: $path must be an absolute path" >&2; exit 2 ;;
    esac
    case "$path" in
        *[!A-Za-z0-9_./@+-]*) echo "error: $path: only plain path characters, please" >&2; exit 2 ;;
    esac
done

# USB ids: four lowercase hex digits; 0000 = no such device at this site (the rule matches nothing).
IDCARD_VENDOR=0000 IDCARD_PRODUCT=0000 QR_VENDOR=0000 QR_PRODUCT=0000
PRINTER_VENDOR=0000 PRINTER_PRODUCT=0000 QR_CAMERA_VENDOR=0000 QR_CAMERA_PRODUCT=0000
DOC_CAMERA_VENDOR=0000 DOC_CAMERA_PRODUCT=0000
if [ -n "$DEVICES" ]; then
    # shellcheck disable=SC1090
    . "$DEVICES"
fi
for name in IDCARD_VENDOR IDCARD_PRODUCT QR_VENDOR QR_PRODUCT PRINTER_VENDOR PRINTER_PRODUCT \
            QR_CAMERA_VENDOR QR_CAMERA_PRODUCT DOC_CAMERA_VENDOR DOC_CAMERA_PRODUCT; do
    eval "value=\$$name"
    case "$value" in
        [0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
        *) echo "error: $name=$value is not four lowercase hex digits" >&2; exit 2 ;;
    esac
done
for dev in IDCARD QR PRINTER; do
    eval "v=\$${dev}_VENDOR"
    if [ "$v" = 0000 ]; then
        echo "note: no USB id for $dev in --devices: no /dev/kiosk/$(echo "$dev" | tr 'A-Z' 'a-z')" >&2
    fi
done

put() {  # put SOURCE DEST MODE: copy with placeholders filled in
    dest="${ROOT%/}$2"
    mkdir -p "$(dirname "$dest")"
    sed -e "s|@APP_DIR@|$APP_DIR|g" -e "s|@CAGE@|$CAGE|g" -e "s|@SITE_CONFIG@|$SITE_CONFIG|g" \
        -e "s|@IDCARD_VENDOR@|$IDCARD_VENDOR|g" -e "s|@IDCARD_PRODUCT@|$IDCARD_PRODUCT|g" \
        -e "s|@QR_VENDOR@|$QR_VENDOR|g" -e "s|@QR_PRODUCT@|$QR_PRODUCT|g" \
        -e "s|@PRINTER_VENDOR@|$PRINTER_VENDOR|g" -e "s|@PRINTER_PRODUCT@|$PRINTER_PRODUCT|g" \
        -e "s|@QR_CAMERA_VENDOR@|$QR_CAMERA_VENDOR|g" -e "s|@QR_CAMERA_PRODUCT@|$QR_CAMERA_PRODUCT|g" \
        -e "s|@DOC_CAMERA_VENDOR@|$DOC_CAMERA_VENDOR|g" -e "s|@DOC_CAMERA_PRODUCT@|$DOC_CAMERA_PRODUCT|g" \
        "$HERE/$1" > "$dest.tmp"
    chmod "$3" "$dest.tmp"
    mv "$dest.tmp" "$dest"
    if grep -q '@[A-Z_]*@' "$dest"; then
        echo "error: $dest still has a placeholder" >&2; exit 1
    fi
    echo "installed $dest"
}

put kiosk-ui.service              /etc/systemd/system/kiosk-ui.service 0644
put kiosk-keys.service            /etc/systemd/system/kiosk-keys.service 0644
put kiosk-fleet.service           /etc/systemd/system/kiosk-fleet.service 0644
put kiosk-audit.service           /etc/systemd/system/kiosk-audit.service 0644
put 70-kiosk-devices.rules        /etc/udev/rules.d/70-kiosk-devices.rules 0644
put journald-kiosk.conf           /etc/systemd/journald.conf.d/kiosk.conf 0644
put 50-kiosk.rules                /etc/polkit-1/rules.d/50-kiosk.rules 0644
put kiosk.sysusers                /etc/sysusers.d/kiosk.conf 0644
put kiosk.tmpfiles                /etc/tmpfiles.d/kiosk.conf 0644
put pam-kiosk-ui                  /etc/pam.d/kiosk-ui 0644

# Earlier versions restarted the UI from a timer, cutting off whoever was at the screen; the app
# now restarts itself between sessions ([terminal] daily_restart_at). Remove the old units.
for old in kiosk-nightly-restart.timer kiosk-nightly-restart.service; do
    if [ "$ROOT" = / ] && [ -e "/etc/systemd/system/$old" ]; then
        systemctl disable --now "$old" || true
    fi
    rm -f "${ROOT%/}/etc/systemd/system/$old" "${ROOT%/}/etc/systemd/system/timers.target.wants/$old"
done

if [ "$ROOT" != / ]; then
    # Offline: the user and the enablement symlinks, as a first boot of the image would have them.
    systemd-sysusers --root="$ROOT"
    systemctl --root="$ROOT" enable kiosk-ui.service kiosk-fleet.service kiosk-audit.service
    echo "installed into $ROOT (nothing started)"
    exit 0
fi

systemd-sysusers /etc/sysusers.d/kiosk.conf
systemd-tmpfiles --create /etc/tmpfiles.d/kiosk.conf
udevadm control --reload
udevadm trigger --action=change --subsystem-match=tty --subsystem-match=usbmisc \
    --subsystem-match=usb --subsystem-match=video4linux
systemctl daemon-reload
systemctl try-restart systemd-journald.service
systemctl enable kiosk-ui.service kiosk-fleet.service kiosk-audit.service
systemctl set-default graphical.target
[ -x "$CAGE" ] || echo "warning: $CAGE is missing (apt-get install cage)" >&2
[ -r "$SITE_CONFIG" ] || echo "warning: $SITE_CONFIG is missing" >&2
echo "installed; start the UI with: systemctl start kiosk-ui.service (or reboot)"
