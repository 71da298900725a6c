"""kiosk.config loads each name from its module when first asked for (PEP 562), and the files'
run directory is read without the schema: the app draws its first frame before pydantic is
imported (issue 16)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kiosk.config
from kiosk.config import ConfigError, site_run_dir


def test_every_public_name_loads_from_its_module() -> None:
    assert sorted(kiosk.config.__all__) == sorted(kiosk.config._MODULE_OF)
    for name in kiosk.config.__all__:
        value = getattr(kiosk.config, name)
        assert value.__module__ == f"kiosk.config.{kiosk.config._MODULE_OF[name]}"


def test_the_run_directory_comes_without_the_schema(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\nrun_dir = "{tmp_path}"\n', encoding="utf-8")
    probe = ("import sys; from kiosk.config import site_run_dir; "
             f"print(site_run_dir({str(site)!r})); "
             "print(sorted(m for m in sys.modules if m.startswith(('pydantic', 'kiosk.config.s'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == [str(tmp_path), "[]"]


def test_the_run_directory_is_the_site_files_not_a_fleet_layers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet layer may not move the run directory: it is not even read for it."""
    fleet = tmp_path / "fleet.toml"
    fleet.write_text('[terminal]\nrun_dir = "/tmp/elsewhere"\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_FLEET_LAYER", str(fleet))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    assert site_run_dir() == Path("/run/kiosk")  # config/default.toml's


@pytest.mark.parametrize("value", ["7", '""', "[1, 2]"])
def test_a_run_directory_that_is_not_a_path_is_refused_with_its_file(
        tmp_path: Path, value: str) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f"[terminal]\nrun_dir = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        site_run_dir(site)
    assert refused.value.problems[0].startswith(f"{site}: terminal.run_dir: a directory's path")

