"""The layering rules of shared/design/ARCHITECTURE.md, checked on the source itself."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files under {package}/"
    return files


@pytest.mark.parametrize("path", python_files("drivers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_drivers_know_hardware_and_nothing_else(path: Path) -> None:
    forbidden = {m for m in imported_modules(path)
                 if m.split(".")[0] in {"kiosk", "screens", "kivy"}}
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


@pytest.mark.parametrize("path", python_files("kiosk"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_the_ui(path: Path) -> None:
    forbidden = {m for m in imported_modules(path) if m.split(".")[0] in {"kivy", "screens"}}
    assert not forbidden, f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"


def test_loading_the_whole_core_pulls_in_no_kivy() -> None:
    code = (
        "import importlib, pkgutil, sys, kiosk\n"
        "for m in pkgutil.walk_packages(kiosk.__path__, 'kiosk.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('kivy', 'screens'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


SERVER_SIDE_USERS = ("kiosk/console/", "kiosk/cli/", "kiosk/demo/", "kiosk/sim.py",
                     "kiosk/sim_platform.py")


@pytest.mark.parametrize("path", python_files("kiosk"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_console_stays_on_the_server_side(path: Path) -> None:
    """The terminal ships without the operations console, the platform is handed its sink
    (never imports it), and the console knows the platform and nothing of the terminal but
    the command format it signs."""
    relative = str(path.relative_to(ROOT))
    imported = {m for m in imported_modules(path) if m.split(".")[0] == "kiosk"}
    if relative.startswith("kiosk/console/"):
        # besides the platform: the command format both ends share, and the fleet repository
        # its rollouts promote through (with its scopes), how a private file is written, and
        # the catalogue loader (kiosk.i18n itself imports only Babel; its package, not check)
        foreign = {m for m in imported if not m.startswith(
            ("kiosk.console", "kiosk.refplatform", "kiosk.remote.envelope", "kiosk.fleet.repository",
             "kiosk.fleet.scopes", "kiosk.private_files")) and m != "kiosk.i18n"}
        assert not foreign, f"{relative} imports {sorted(foreign)}"
    elif not relative.startswith(SERVER_SIDE_USERS):
        console = {m for m in imported if m.startswith("kiosk.console")}
        assert not console, f"{relative} imports {sorted(console)}"
