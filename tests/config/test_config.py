"""Configuration layers: what a technician or fleet manager sees when a file is wrong."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import tomllib

import pytest
from pydantic import BaseModel
from hypothesis import given, settings, strategies as st

from kiosk.config import ConfigError, check_file, load_layers
from kiosk.config.loader import DEFAULT_FILE, Layer, validate_layers
from kiosk.config.schema import KioskConfig

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_defaults_are_valid_and_match_the_schema_defaults(tmp_path: Path) -> None:
    loaded = load_layers(fleet=write(tmp_path, "empty.toml", ""))
    assert loaded.config.devices.idcard.baudrate == 115200
    assert loaded.config.devices.printer.paper_width_mm == 80


def _schema_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys = set()
    for name, field in model.model_fields.items():
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            keys |= _schema_keys(sub, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def _file_keys(data: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in data.items():
        keys |= _file_keys(value, f"{prefix}{name}.") if isinstance(value, dict) else {prefix + name}
    return keys


def test_default_toml_documents_every_setting_of_the_schema() -> None:
    with DEFAULT_FILE.open("rb") as fh:
        shipped = tomllib.load(fh)
    missing = _schema_keys(KioskConfig) - _file_keys(shipped)
    # USB ids only mean something with transport = "usb"; a site sets them with it. The
    # retired receipt-QR keys are accepted (and ignored) only so that older site files load.
    assert missing <= {"devices.printer.usb_vendor", "devices.printer.usb_product",
                       "receipts.qr_key_file", "receipts.old_qr_key_files"}, missing


def test_site_overrides_default_and_fleet_overrides_site(tmp_path: Path) -> None:
    site = write(tmp_path, "site.toml", '[terminal]\nid = "SZ-0042"\n[devices.printer]\n'
                 'paper_width_mm = 58\ndots_per_line = 384\n')
    fleet = write(tmp_path, "fleet.toml", '[devices.printer]\npaper_width_mm = 80\n')
    loaded = load_layers(site, fleet)
    assert loaded.config.terminal.id == "SZ-0042"
    assert loaded.config.devices.printer.paper_width_mm == 80
    assert loaded.config.devices.printer.dots_per_line == 384
    assert loaded.source_of("devices.printer.paper_width_mm") == str(fleet)
    assert loaded.source_of("terminal.id") == str(site)
    assert [l.name for l in loaded.layers] == ["default", "site", "fleet"]


def test_site_file_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    site = write(tmp_path, "site.toml", '[terminal]\nid = "ENV-1"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(site))
    monkeypatch.setenv("KIOSK_FLEET_LAYER", str(write(tmp_path, "f.toml", "")))
    assert load_layers().config.terminal.id == "ENV-1"


def _applied(fleet_dir: Path, text: str, *, recorded: str | None = None) -> Path:
    """An applied layer as the updater leaves it: the file and the hash it recorded."""
    fleet_dir.mkdir(exist_ok=True)
    path = write(fleet_dir, "applied.toml", text)
    sha = hashlib.sha256((recorded if recorded is not None else text).encode()).hexdigest()
    (fleet_dir / "state.json").write_text(json.dumps({"applied": {"file_sha256": sha}}))
    return path


def test_applied_fleet_layer_in_data_dir_is_picked_up(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    text = '[devices.idcard]\npoll_interval_s = 0.7\n'
    _applied(tmp_path / "fleet", text)
    site = write(tmp_path, "site.toml", f'[terminal]\ndata_dir = "{tmp_path}"\n')
    loaded = load_layers(site)
    assert loaded.config.devices.idcard.poll_interval_s == 0.7
    assert loaded.layers[-1].name == "fleet"
    assert loaded.fleet_sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_the_fleet_state_dir_is_a_site_setting(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    _applied(tmp_path / "updater", '[ui]\nelder_mode = true\n')
    site = write(tmp_path, "site.toml", f'[terminal]\ndata_dir = "{tmp_path}/ui"\n'
                 f'[fleet]\nstate_dir = "{tmp_path}/updater"\n')
    assert load_layers(site).config.ui.elder_mode


def test_an_applied_layer_changed_on_disk_is_not_used(tmp_path: Path, monkeypatch) -> None:
    """An escaped UI (or anyone but the updater) rewriting the layer it will run next: the file
    no longer matches the updater's record, so the terminal serves on without it and says why."""
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    _applied(tmp_path / "fleet", '[platform]\nbase_url = "https://evil.example/api"\n',
             recorded='[ui]\nelder_mode = true\n')
    site = write(tmp_path, "site.toml", f'[terminal]\ndata_dir = "{tmp_path}"\n')
    loaded = load_layers(site)
    assert loaded.config.platform.base_url != "https://evil.example/api"
    assert not loaded.config.ui.elder_mode
    assert [layer.name for layer in loaded.layers] == ["default", "site"]
    assert "not the layer the fleet updater recorded" in loaded.fleet_problem
    assert loaded.fleet_sha256 == ""


def test_an_applied_layer_that_sets_what_no_fleet_layer_may_is_not_used(
        tmp_path: Path, monkeypatch) -> None:
    """Even recorded (an updater of an older version let it through): a command line in a fleet
    layer is never used."""
    monkeypatch.delenv("KIOSK_FLEET_LAYER", raising=False)
    _applied(tmp_path / "fleet", '[voice]\nplayer_command = ["sh", "-c", "id > /tmp/x"]\n')
    site = write(tmp_path, "site.toml", f'[terminal]\ndata_dir = "{tmp_path}"\n')
    loaded = load_layers(site)
    assert loaded.config.voice.player_command == ("aplay", "-q")
    assert "may not set voice.player_command" in loaded.fleet_problem
    with pytest.raises(ConfigError, match="may not set voice.player_command"):
        load_layers(site, fleet=tmp_path / "fleet" / "applied.toml")


@pytest.mark.parametrize("text, key, expected", [
    ('[devices.printer]\nbaudrate = 1234\n', "devices.printer.baudrate", "115200"),
    ('[devices.printer]\ncolour = "red"\n', "devices.printer.colour", "not a known setting"),
    ('[devices.idcard]\nport = 3\n', "devices.idcard.port", "valid string"),
    ('[devices.qr_camera]\ndecoder = "magic"\n', "devices.qr_camera.decoder", "'zxing'"),
    ('[terminal]\nid = "has space"\n', "terminal.id", "pattern"),
    ('[devices.printer]\ntransport = "usb"\n', "devices.printer", "usb_vendor"),
    ('devices = 3\n', "devices", "valid dictionary"),
    ('[devcies.printer]\nport = "x"\n', "devcies", "not a known setting"),
    ('[platform]\nbase_url = "http://platform.gov.example/api/v1"\n', "platform.base_url",
     "over https://"),
    ('[outbox]\nmax_items = 0\n', "outbox.max_items", "greater than or equal to 1"),
])
def test_a_wrong_value_names_the_file_the_key_and_what_was_expected(
        tmp_path: Path, text: str, key: str, expected: str) -> None:
    site = write(tmp_path, "site.toml", text)
    with pytest.raises(ConfigError) as err:
        check_file(site)
    problem = err.value.problems[0]
    assert problem.startswith(f"{site}: {key}:"), problem
    assert expected in problem, problem


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    site = write(tmp_path, "site.toml", '[terminal]\nid = "unterminated\n')
    with pytest.raises(ConfigError) as err:
        check_file(site)
    assert str(site) in str(err.value) and "line 2" in str(err.value)


def test_missing_unreadable_and_huge_files_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        check_file(tmp_path / "absent.toml")
    huge = write(tmp_path, "huge.toml", "# x\n" * 300_000)
    with pytest.raises(ConfigError, match="too large"):
        check_file(huge)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not valid TOML"):
        check_file(binary)


toml_values = st.recursive(
    st.none().map(lambda _: "x") | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["terminal", "devices", "printer", "idcard", "port", "baudrate", "id",
                         "enabled", "platform", "base_url", "zzz"]), children, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["terminal", "devices", "platform", "other"]),
                       toml_values, max_size=3))
def test_any_structure_is_either_accepted_or_refused_with_config_error(data) -> None:
    layers = [Layer("default", DEFAULT_FILE, {}), Layer("site", Path("site.toml"), data)]
    try:
        validate_layers(layers)
    except ConfigError as exc:
        assert exc.problems and all(p.startswith(("site.toml", "built-in")) for p in exc.problems)


def test_cli_check_exit_codes_and_message(tmp_path: Path) -> None:
    good = write(tmp_path, "good.toml", '[terminal]\nid = "A-1"\n')
    bad = write(tmp_path, "bad.toml", '[devices.printer]\nbaudrate = 1\n')
    kiosk = [sys.executable, "-m", "kiosk.cli.entry"]
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG",)}
    ok = subprocess.run([*kiosk, "config", "check", str(good)], capture_output=True, text=True,
                        env=env, cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and "valid" in ok.stdout
    ko = subprocess.run([*kiosk, "config", "check", str(bad)], capture_output=True, text=True,
                        env=env, cwd=ROOT, timeout=60)
    assert ko.returncode == 1
    assert f"{bad}: devices.printer.baudrate:" in ko.stderr
