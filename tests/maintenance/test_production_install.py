"""The production install (systemd/install-runtime.sh) is not the development one (setup.sh):
runtime packages only, Python dependencies from a lock with hashes, and `kiosk doctor` fails on
a production terminal that carries a virtual card reader."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kiosk.production import PRODUCTION_MARKER, check_install

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "systemd/install-runtime.sh"
DEV_ONLY = {"vsmartcard-vpcd", "xvfb", "nginx-light", "nginx", "nodejs", "socat",
            "python3-seccomp", "sane-utils"}


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) of each requirement in a pip-compile --generate-hashes file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = block.split(" ", 1)[0].strip()
        if "==" not in head:
            assert not head or head.startswith("#"), f"{path.name}: unexpected line {head!r}"
            continue
        name, version = head.split("==")
        entries[canonicalize_name(name)] = (version, re.findall(r"--hash=sha256:[0-9a-f]{64}",
                                                                block))
    return entries


def runtime_dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


def test_the_lock_covers_every_runtime_dependency_with_hashes() -> None:
    lock = locked(ROOT / "requirements/runtime.lock")
    assert len(lock) > len(runtime_dependencies())  # transitive ones too
    for req in runtime_dependencies():
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is in pyproject.toml but not in runtime.lock"
        assert req.specifier.contains(lock[name][0], prereleases=True), (req, lock[name][0])
    for name, (_, hashes) in lock.items():
        assert hashes, f"runtime.lock: {name} has no hash"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test_only = {canonicalize_name(Requirement(r).name)
                 for r in project["optional-dependencies"]["test"]}
    assert not test_only & set(lock), "test tools in the runtime lock"
    build = locked(ROOT / "requirements/build.lock")
    assert "setuptools" in build and all(h for _, h in build.values())
    assert lock.get("setuptools", build["setuptools"])[0] == build["setuptools"][0]
    assert "pip-compile" in (ROOT / "requirements/runtime.lock").read_text().split("\n\n")[0]


def test_the_lock_parser_would_see_a_missing_hash(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("a==1 \\\n    --hash=sha256:" + "0" * 64 + "\nb==2\n    # via a\n")
    assert locked(lock) == {"a": ("1", ["--hash=sha256:" + "0" * 64]), "b": ("2", [])}


def test_the_production_installer_installs_runtime_only_from_the_lock() -> None:
    text = INSTALLER.read_text(encoding="utf-8")
    packages = set(re.search(r'RUNTIME_PACKAGES="([^"]*)"', text).group(1).split())
    assert packages and not packages & DEV_ONLY, packages & DEV_ONLY
    installs = re.findall(r"\$PIP install ((?:[^\n]*\\\n)*[^\n]*)", text)
    assert len(installs) == 3 and all("--no-deps" in line for line in installs)
    assert all("--require-hashes" in line for line in installs if " -r " in line)
    assert sorted(re.findall(r"requirements/(\w+\.lock)", " ".join(installs))) == [
        "build.lock", "runtime.lock"]
    assert "[test" not in text and "console]" not in text and " -e " not in text
    assert f'"$VENV/{PRODUCTION_MARKER}"' in text
    # The development entry keeps its two commands and its emulators.
    setup = (ROOT / "setup.sh").read_text(encoding="utf-8")
    assert "bash setup.sh demo" in setup and "bash setup.sh test" in setup
    assert "vsmartcard-vpcd" in setup and "\".[test,console]\"" in setup
    result = subprocess.run(["sh", "-n", str(INSTALLER)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_virtual_reader_fails_only_a_production_install(tmp_path: Path) -> None:
    prefix = tmp_path / "venv"
    prefix.mkdir()
    vpcd = tmp_path / "reader.conf.d/vpcd"
    vpcd.parent.mkdir()
    vpcd.write_text("FRIENDLYNAME \"Virtual PCD\"\n")
    dev = check_install([], prefix=prefix, files=[vpcd])
    assert dev.ok and not dev.production and dev.virtual_readers == (str(vpcd),)
    (prefix / PRODUCTION_MARKER).touch()
    prod = check_install([], prefix=prefix, files=[vpcd])
    assert not prod.ok and "VIRTUAL CARD READER PRESENT" in prod.line
    named = check_install(["Virtual PCD 00 00", "ACS ACR122U 00 00"], prefix=prefix, files=[])
    assert not named.ok and named.virtual_readers == ("Virtual PCD 00 00",)
    clean = check_install(["ACS ACR122U 00 00"], prefix=prefix, files=[tmp_path / "none"])
    assert clean.ok and clean.production and "no virtual card reader" in clean.line


@pytest.mark.skipif(not Path("/etc/reader.conf.d/vpcd").exists(),
                    reason="vsmartcard-vpcd is not installed here (setup.sh installs it)")
def test_kiosk_doctor_fails_on_a_production_venv_with_vpcd_installed(tmp_path: Path) -> None:
    """The real command in a venv marked as install-runtime.sh marks it (this machine has vpcd,
    as every development machine does); the same command in the development venv passes that
    line."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = subprocess.run([venv / "bin/python", "-c",
                                    "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    Path(site_packages, "dev.pth").write_text(f"{ROOT}\n{sysconfig.get_path('purelib')}\n")
    (venv / PRODUCTION_MARKER).touch()
    site = tmp_path / "site.toml"
    devices = "".join(f"[devices.{d}]\nenabled = false\n" for d in (
        "idcard", "smartcard", "qr_camera", "qr_serial", "doc_camera", "scanner", "printer"))
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n{devices}'
                    '[platform]\nbase_url = "http://127.0.0.1:9/api/v1"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_FLEET_LAYER")}

    def doctor(python: Path | str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), "-m", "kiosk.cli.entry", "--config", str(site),
                               "--json", "doctor", "--settle", "0"], capture_output=True,
                              text=True, timeout=120, cwd=ROOT, env=env)

    production = doctor(venv / "bin/python")
    assert production.returncode == 1, production.stderr
    install = json.loads(production.stdout)["install"]
    assert install["production"] and not install["ok"]
    assert "/etc/reader.conf.d/vpcd" in install["virtual_readers"]
    development = doctor(sys.executable)
    assert json.loads(development.stdout)["install"]["ok"], development.stderr
