"""`kiosk idcard read` against the emulator and `kiosk idcard decode` on captured frames."""

from __future__ import annotations

import json
import threading
import time

import pytest
from click.testing import CliRunner

from drivers.idcard import frame
from drivers.idcard.card import build_base_info, encode_description
from drivers.idcard.emulator import load_description
from kiosk.audit import open_trail
from kiosk.cli import main
from kiosk.config import load_config
from kiosk.cli.idcard import idcard_group

main.add_command(idcard_group)


def reply_hex(name: str) -> str:
    return frame.build_reply(0x90, build_base_info(*encode_description(load_description(name)))
                             ).hex(" ")


def test_decode_prints_the_card_as_masked_json():
    result = CliRunner().invoke(main, ["idcard", "decode"], input=reply_hex("hmt"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "hmt_residence_permit" and data["region"] == "香港"
    assert data["id_number"] == "810000********0032"
    assert "港澳演示" not in result.output


def test_decode_unmasked_from_a_file_is_attributed(tmp_path):
    path = tmp_path / "frame.hex"
    path.write_text(reply_hex("foreign_2023"))
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n')
    base = ["--config", str(site), "idcard", "decode", "--unmasked", str(path)]
    refused = CliRunner().invoke(main, base)
    assert refused.exit_code != 0 and "--staff" in refused.output
    assert "SPECIMEN" not in refused.output
    result = CliRunner().invoke(main, [*base, "--staff", "S0001", "--reason", "support case"])
    assert result.exit_code == 0, result.output
    with open_trail(load_config(site), create=False) as trail:
        [entry] = [e for e in trail.entries() if e.actor_kind == "staff"]
    assert (entry.actor_id, entry.action) == ("S0001", "idcard.decode_unmasked")
    assert json.loads(result.output)["english_name"] == \
        "SPECIMEN-EXAMPLE, ALEXANDRA MARGARET TESTER"


@pytest.mark.parametrize("text,message", [
    ("zz", "not hex"),
    ("", "no hex input"),
    ("aa aa aa 96 69 00 04 00 00 80 84", "NoCard"),
    ("aa aa aa 96 69 00 04 00 00 80 85", "ChecksumError"),
    (frame.build_reply(0x90, b"\x01\x00\x04\x00").hex(), "CardFormatError"),
])
def test_decode_garbage_is_a_clear_error_and_exit_1(text, message):
    result = CliRunner().invoke(main, ["idcard", "decode"], input=text)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_read_waits_for_a_card_on_the_configured_module(emulator, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n'
                    f'[devices.idcard]\nport = "{emulator.link.link_path}"\n'
                    "poll_interval_s = 0.05\nread_timeout_s = 0.3\n")
    threading.Timer(0.3, emulator.place_card, kwargs={"path": "resident"}).start()
    result = CliRunner().invoke(main, ["--config", str(site), "--json", "idcard", "read",
                                       "--timeout", "5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "resident" and data["id_number"] == "110101********1233"
    assert "测试样例" not in result.output
    unnamed = CliRunner().invoke(main, ["--config", str(site), "--json", "idcard", "read",
                                        "--timeout", "5", "--unmasked"])
    assert unnamed.exit_code == 1 and "needs --staff ID and --reason" in unnamed.output
    assert "测试样例" not in unnamed.output
    result = CliRunner().invoke(main, ["--config", str(site), "--json", "idcard", "read",
                                       "--timeout", "5", "--unmasked", "--staff", "S0002",
                                       "--reason", "citizen asked to see what the card holds"])
    assert json.loads(result.output)["name"] == "测试样例"
    with open_trail(load_config(site), create=False) as trail:
        [entry] = [e for e in trail.entries() if e.actor_kind == "staff"]
    assert (entry.actor_id, entry.action) == ("S0002", "idcard.read_unmasked")
    assert entry.details["reason"] == "citizen asked to see what the card holds"


def test_read_reports_a_module_that_is_not_there(tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(f'[devices.idcard]\nport = "{tmp_path / "absent.tty"}"\n'
                    "read_timeout_s = 0.2\n")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["--config", str(site), "idcard", "read", "--timeout", "2"])
    assert result.exit_code == 1
    assert "no_device" in result.output and "absent.tty" in result.output
    assert time.monotonic() - started < 3


def test_read_times_out_clearly_without_a_card(emulator, tmp_path):
    site = tmp_path / "site.toml"
    site.write_text(f'[devices.idcard]\nport = "{emulator.link.link_path}"\n'
                    "poll_interval_s = 0.05\nread_timeout_s = 0.3\n")
    result = CliRunner().invoke(main, ["--config", str(site), "idcard", "read", "--timeout", "0.5"])
    assert result.exit_code == 1 and "no card read within 0.5 s" in result.output
