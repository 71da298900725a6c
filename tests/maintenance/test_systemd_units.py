"""systemd/: installed into a temporary root by install.sh, then checked by systemd's own
`systemd-analyze verify`, node (the polkit rule's decisions) and a parse of the rest.

Why these paths: `systemd-analyze verify FILE` resolves dependencies on the host but insists
that every ExecStart binary exists *on the host* (`--root` does not re-root that check and
needs a whole unit tree in the root). So the units are installed with --app pointing at this
checkout (its .venv/bin/python exists) and --cage at a stand-in executable; the unit text is
otherwise exactly what a terminal gets. verify exits 0 even on an unknown key, so silence on
stderr is required too.
"""

from __future__ import annotations

import configparser
import json
import os
import pwd
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "systemd"
UNITS = ("kiosk-ui.service", "kiosk-keys.service")
DEVICES = {"IDCARD_VENDOR": "1a86", "IDCARD_PRODUCT": "7523", "QR_VENDOR": "0c2e",
           "QR_PRODUCT": "0b61", "PRINTER_VENDOR": "0519", "PRINTER_PRODUCT": "2013"}

needs_systemd = pytest.mark.skipif(not shutil.which("systemd-analyze"),
                                   reason="systemd-analyze missing (Debian package systemd)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("install")
    cage = base / "bin" / "cage"
    cage.parent.mkdir()
    cage.write_text("#!/bin/sh\nexec \"$@\"\n")
    cage.chmod(0o755)
    devices = base / "devices.env"
    devices.write_text("".join(f"{k}={v}\n" for k, v in DEVICES.items()))
    root = base / "root"
    result = subprocess.run(["sh", str(SYSTEMD / "install.sh"), "--root", str(root), "--app",
                             str(ROOT), "--cage", str(cage), "--devices", str(devices)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def unit(root: Path, name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None,
                                          comment_prefixes=("#", ";"))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(root / "etc/systemd/system" / name, encoding="utf-8")
    return parser


@needs_systemd
def test_systemd_analyze_verify_accepts_the_installed_units(installed: Path) -> None:
    paths = [str(installed / "etc/systemd/system" / name) for name in UNITS]
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *paths],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr.strip()) == (0, "")


@needs_systemd
def test_systemd_analyze_verify_would_catch_a_mistake(installed: Path, tmp_path: Path) -> None:
    text = (installed / "etc/systemd/system/kiosk-ui.service").read_text(encoding="utf-8")
    broken = tmp_path / "kiosk-ui.service"
    broken.write_text(text.replace("WatchdogSec=", "WatchdogSecs=").replace("Type=notify",
                                                                           "Type=notfy"))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(broken)],
                            capture_output=True, text=True, timeout=60)
    assert "Unknown key 'WatchdogSecs'" in result.stderr and "notfy" in result.stderr


def test_the_ui_unit_is_supervised_as_the_issue_asks(installed: Path) -> None:
    ui = unit(installed, "kiosk-ui.service")
    service, unit_section = ui["Service"], ui["Unit"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "all"
    assert int(service["WatchdogSec"]) >= 10
    assert service["Restart"] == "always" and unit_section["StartLimitIntervalSec"] == "0"
    assert service["User"] == "kiosk" and service["NoNewPrivileges"] == "yes"
    assert "pcscd.socket" in unit_section["After"] and "pcscd.socket" in unit_section["Wants"]
    exec_start = service["ExecStart"].split()
    assert exec_start[0].endswith("/bin/cage") and "--" in exec_start
    assert exec_start[exec_start.index("--") + 1] == f"{ROOT}/.venv/bin/python"
    assert "-m screens" in service["ExecStart"]
    assert (installed / "etc/pam.d" / service["PAMName"]).exists()
    links = installed / "etc/systemd/system"
    assert (links / "graphical.target.wants/kiosk-ui.service").is_symlink()
    assert re.search(r"^kiosk:x:\d+:\d+:.*:/usr/sbin/nologin$",
                     (installed / "etc/passwd").read_text(), re.M)


def test_the_keys_unit_makes_the_outbox_key_the_ui_cannot(installed: Path,
                                                          tmp_path: Path) -> None:
    """Its very command, with the test's site file and user: a 0600 key owned by the user,
    then only checked; an exposed key is refused, not used."""
    keys = unit(installed, "kiosk-keys.service")
    ui = unit(installed, "kiosk-ui.service")["Unit"]
    assert "kiosk-ui.service" in keys["Unit"]["Before"]
    assert "kiosk-keys.service" in ui["Wants"] and "kiosk-keys.service" in ui["After"]
    command = keys["Service"]["ExecStart"].split()
    assert command[:3] == [f"{ROOT}/.venv/bin/python", "-m", "kiosk.cli.entry"]
    assert command[-3:] == ["keygen", "--owner", "kiosk"]
    key = tmp_path / "etc" / "outbox.key"
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n'
                    f'[outbox]\nkey_file = "{key}"\n')
    me = pwd.getpwuid(os.getuid()).pw_name
    command[command.index("--config") + 1] = str(site)
    command[-1] = me
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert first.returncode == 0 and "created (0600)" in first.stdout, first.stderr
    info = key.stat()
    assert (info.st_mode & 0o777, info.st_size, info.st_uid) == (0o600, 32, os.getuid())
    content = key.read_bytes()
    again = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert again.returncode == 0 and "already there" in again.stdout
    assert key.read_bytes() == content
    key.chmod(0o644)
    exposed = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert exposed.returncode == 1 and "group or" in exposed.stdout + exposed.stderr


@needs_systemd
def test_an_upgrade_removes_the_nightly_restart_timer(tmp_path: Path) -> None:
    """It restarted the UI whoever was at the screen; the app now restarts between sessions."""
    links = tmp_path / "etc/systemd/system"
    (links / "timers.target.wants").mkdir(parents=True)
    for name in ("kiosk-nightly-restart.timer", "kiosk-nightly-restart.service"):
        (links / name).write_text("[Unit]\n")
    (links / "timers.target.wants/kiosk-nightly-restart.timer").symlink_to(
        links / "kiosk-nightly-restart.timer")
    result = subprocess.run(["sh", str(SYSTEMD / "install.sh"), "--root", str(tmp_path),
                             "--app", str(ROOT)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not list(links.rglob("kiosk-nightly-restart.*"))
    assert (links / "graphical.target.wants/kiosk-ui.service").is_symlink()


def test_udev_rules_give_the_names_the_configuration_uses(installed: Path) -> None:
    rules = (installed / "etc/udev/rules.d/70-kiosk-devices.rules").read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "config/default.toml").read_text(encoding="utf-8"))
    devices = config["devices"]
    names = set(re.findall(r'SYMLINK\+="([^"]+)"', rules))
    for port in (devices["idcard"]["port"], devices["qr_serial"]["port"],
                 devices["printer"]["port"]):
        assert port.removeprefix("/dev/") in names
    assert 'ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", SYMLINK+="kiosk/idcard"' in rules
    pair = re.compile(r'^[A-Z]+(\{[A-Za-z_]+\})?(==|!=|\+=|=|:=)"[^"]*"$')
    for line in rules.splitlines():
        if line.strip() and not line.startswith("#"):
            for part in line.split(", "):
                assert pair.match(part), f"not a udev key/value: {part!r} in {line!r}"
            assert 'GROUP="kiosk"' in line and 'MODE="0660"' in line
    assert "@" not in rules  # every placeholder filled in


def test_install_refuses_a_malformed_device_id(tmp_path: Path) -> None:
    devices = tmp_path / "devices.env"
    devices.write_text("IDCARD_VENDOR=1A86\n")
    result = subprocess.run(["sh", str(SYSTEMD / "install.sh"), "--root", str(tmp_path / "r"),
                             "--devices", str(devices)], capture_output=True, text=True)
    assert result.returncode == 2 and "IDCARD_VENDOR" in result.stderr
    assert not (tmp_path / "r").exists()


def test_journald_limits(installed: Path) -> None:
    conf = configparser.RawConfigParser()
    conf.optionxform = str
    conf.read(installed / "etc/systemd/journald.conf.d/kiosk.conf")
    journal = conf["Journal"]
    assert journal["Storage"] == "persistent"
    for key in ("SystemMaxUse", "SystemKeepFree", "SystemMaxFileSize", "MaxRetentionSec"):
        assert re.fullmatch(r"\d+(M|G|day)", journal[key]), key
    known = {"Storage", "Compress", "SystemMaxUse", "SystemKeepFree", "SystemMaxFileSize",
             "MaxRetentionSec", "MaxLevelStore", "RateLimitIntervalSec", "RateLimitBurst",
             "ForwardToSyslog", "ForwardToWall"}
    assert set(journal) <= known


POLKIT_HARNESS = r"""
const fs = require("fs");
const rules = [];
const polkit = {Result: {YES: "yes", NO: "no", NOT_HANDLED: null},
                addRule: function (f) { rules.push(f); }};
const args = process.argv.slice(-2);
new Function("polkit", fs.readFileSync(args[0], "utf8"))(polkit);
const cases = JSON.parse(args[1]);
console.log(JSON.stringify(cases.map(function (c) {
  const action = {id: c[1], lookup: function (k) { return (c[2] || {})[k]; }};
  const subject = {user: c[0]};
  for (const rule of rules) { const r = rule(action, subject); if (r) return r; }
  return "not_handled";
})));
"""


@pytest.mark.skipif(not shutil.which("node"), reason="node missing (Debian package nodejs)")
def test_polkit_lets_the_kiosk_user_reboot_and_restart_the_ui_only(installed: Path) -> None:
    manage = "org.freedesktop.systemd1.manage-units"
    cases = [
        ["kiosk", "org.freedesktop.login1.reboot", None, "yes"],
        ["kiosk", "org.freedesktop.login1.reboot-multiple-sessions", None, "yes"],
        ["kiosk", manage, {"unit": "kiosk-ui.service", "verb": "restart"}, "yes"],
        ["kiosk", manage, {"unit": "kiosk-ui.service", "verb": "stop"}, "not_handled"],
        ["kiosk", manage, {"unit": "ssh.service", "verb": "restart"}, "not_handled"],
        ["kiosk", "org.freedesktop.login1.power-off", None, "not_handled"],
        ["kiosk", "org.freedesktop.systemd1.manage-unit-files", None, "not_handled"],
        ["www-data", "org.freedesktop.login1.reboot", None, "not_handled"],
    ]
    rule = installed / "etc/polkit-1/rules.d/50-kiosk.rules"
    result = subprocess.run(["node", "-e", POLKIT_HARNESS, "--", str(rule),
                             json.dumps([c[:3] for c in cases])],
                            capture_output=True, text=True, timeout=30, env=os.environ)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [c[3] for c in cases]
    text = rule.read_text(encoding="utf-8")
    assert "=>" not in text and not re.search(r"\b(let|const)\b", text)  # ES5 for duktape
