"""A unit's sandbox, approximated without systemd as PID 1 (none in CI or in a container).

What is applied for real, from the unit file's own settings:
- ProtectSystem=strict + ReadWritePaths=: a private mount namespace (`unshare --mount`) in which
  every mount is remounted read-only except the writable paths (bound onto themselves first);
- PrivateNetwork=yes: `unshare --net`;
- UMask=: `umask`;
- PrivateTmp=yes: a fresh writable directory as $TMPDIR (a tmpfs on /tmp would hide the
  test's own temporary directories);
- CapabilityBoundingSet= / AmbientCapabilities= / NoNewPrivileges=yes / User=, Group=:
  `setpriv` with an empty bounding set, no inheritable or ambient capability, no_new_privs;
- SystemCallFilter= (allow-list then deny-lists, expanded by `systemd-analyze syscall-filter`)
  with EPERM, and MemoryDenyWriteExecute= as PR_SET_MDWE: tests/maintenance/seccomp_exec.py.

What is not (verified only statically, by `systemd-analyze security --offline`): DeviceAllow=,
PrivateDevices=, PrivateUsers=, ProtectProc=, ProcSubset=, Protect{Kernel*,Clock,Hostname},
RestrictAddressFamilies=, RestrictNamespaces=, IPAddressDeny=, LoadCredentialEncrypted=.
"""

from __future__ import annotations

import functools
import json
import shlex
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"


def available() -> str | None:
    """Why the sandbox cannot run here, or None."""
    for tool in ("unshare", "setpriv", "findmnt", "systemd-analyze"):
        if not shutil.which(tool):
            return f"{tool} missing"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import seccomp"], capture_output=True)
    if probe.returncode != 0:
        return "python3-seccomp missing (Debian package python3-seccomp)"
    if subprocess.run(["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        return "no mount namespaces here (needs root)"
    return None


def service_settings(unit_file: Path) -> dict[str, list[str]]:
    """[Service] key -> every value in order (SystemCallFilter= and friends repeat)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in unit_file.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


@functools.cache
def _groups() -> dict[str, list[str]]:
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True,
                         capture_output=True, text=True).stdout
    groups: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("@"):
            current = line.strip()
            groups[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            groups[current].append(line.strip())
    return groups


def expand(names: list[str]) -> set[str]:
    result: set[str] = set()
    for name in names:
        result |= expand(_groups()[name]) if name.startswith("@") else {name}
    return result


def allowed_syscalls(settings: dict[str, list[str]]) -> set[str]:
    allowed: set[str] = set()
    for value in settings.get("SystemCallFilter", []):
        if value.startswith("~"):
            allowed -= expand(value[1:].split())
        else:
            allowed |= expand(value.split())
    return allowed


def command(unit_file: Path, argv: list[str], *, rw_paths: list[Path], uid: int | None = None,
            gid: int | None = None, spec_dir: Path) -> list[str]:
    """`argv` wrapped in the unit's restrictions. `rw_paths` stand in for ReadWritePaths= and
    StateDirectory= (the test's temporary directories); the unit must ask for strict."""
    s = service_settings(unit_file)
    assert s.get("ProtectSystem") == ["strict"], "the sandbox mirrors ProtectSystem=strict"
    assert s.get("CapabilityBoundingSet") == [""] and s.get("NoNewPrivileges") == ["yes"]
    spec = spec_dir / "seccomp.json"
    spec.write_text(json.dumps({"allow": sorted(allowed_syscalls(s)),
                                "mdwe": s.get("MemoryDenyWriteExecute") == ["yes"]}))
    user = [] if uid is None else [f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]
    setpriv = ["setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all",
               "--ambient-caps=-all", *user]
    inner = [*setpriv, SYSTEM_PYTHON, str(HERE / "seccomp_exec.py"), str(spec), "--", *argv]
    if s.get("PrivateTmp") == ["yes"]:
        private_tmp = spec_dir / "private-tmp"
        private_tmp.mkdir(mode=0o1777, exist_ok=True)
        private_tmp.chmod(0o1777)
        rw_paths = [*rw_paths, private_tmp]
        inner = ["env", f"TMPDIR={private_tmp}", *inner]
    keep = " ".join(shlex.quote(str(p)) for p in rw_paths)
    script = (
        "set -e; mount --make-rprivate /\n"
        f"for p in {keep}; do mount --bind \"$p\" \"$p\"; done\n"
        "findmnt -rno TARGET | while read -r t; do\n"
        "  case \"$t\" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac\n"
        f"  for p in {keep}; do [ \"$t\" = \"$p\" ] && continue 2; done\n"
        "  mount -o remount,bind,ro \"$t\" 2>/dev/null || true\n"
        "done\n"
        f"umask {s.get('UMask', ['0022'])[-1]}\n"
        f"exec {' '.join(shlex.quote(a) for a in inner)}\n")
    net = ["--net"] if s.get("PrivateNetwork") == ["yes"] else []
    return ["unshare", "--mount", *net, "--", "sh", "-c", script]
