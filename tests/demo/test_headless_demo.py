"""`kiosk demo` on a machine with no display: a scripted citizen under Xvfb, real emulators,
and a folder of pictures at the end."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
import zxingcpp

from kiosk.cli import CliContext
from kiosk.cli.demo_cmd import demo_command
from kiosk.demo.app_process import ROOT, AppProcess
from kiosk.demo.runner import DemoFailed, Player
from kiosk.demo.script import Receipts, Screen, Tap
from kiosk.demo.xvfb import SIZE, Xvfb
from kiosk.sim import Simulation


def _is_picture(path: Path, size: tuple[int, int] | None = None) -> bool:
    with Image.open(path) as image:
        image.verify()  # a complete, valid PNG
    with Image.open(path) as image:
        drawn = len(image.convert("L").getcolors(maxcolors=1 << 16) or ()) > 4
        return image.format == "PNG" and drawn and (size is None or image.size == size)


def test_the_shell_tour_leaves_a_picture_of_every_screen(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)  # auto: headless
    out = tmp_path / "demo"
    result = CliRunner().invoke(
        demo_command, ["--out", str(out), "--script", "shell", "--area", "idcard",
                       "--no-platform"], obj=CliContext(None, False))
    assert result.exit_code == 0, result.output
    assert str(out) in result.output.splitlines()[-1]  # the folder is named at the end
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["01-attract.png", "02-home.png", "03-home-en.png",
                     "04-attract-after-exit.png"]
    assert all(_is_picture(out / name, SIZE) for name in names)
    # the card's greeting and the language switch are what the pictures show
    with Image.open(out / "02-home.png") as zh, Image.open(out / "03-home-en.png") as en:
        assert zh.tobytes() != en.tobytes()


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("idcard", "printer"), platform=False) as s:
        yield s


def test_printed_jobs_are_copied_out_and_a_failed_step_stops_with_the_log(sim, tmp_path):
    # Printed before the app starts: the app's printer driver holds the port exclusively.
    printed = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.entry", "--config", str(sim.site_config_path),
         "print", "test", "--device", "printer"], cwd=ROOT, capture_output=True, timeout=60)
    assert printed.returncode == 0, printed.stderr.decode()
    out = tmp_path / "out"
    out.mkdir()
    with Xvfb() as xvfb:
        app = AppProcess(tmp_path / "app", xvfb, site_file=sim.site_config_path).start()
        try:
            player = Player(app, sim, out)
            player.play([Receipts(1, timeout_s=20)])
            assert [p.name for p in player.receipts] == ["receipt-01.png"]
            assert _is_picture(out / "receipt-01.png")

            with pytest.raises(DemoFailed) as failed:
                player.play([Screen("attract"), Tap("no_such_widget")])
        finally:
            app.stop()
    assert "step 2 of 2" in str(failed.value) and "no_such_widget" in str(failed.value)
    assert failed.value.log_tail  # the app's log, for whoever reads the failure
    assert _is_picture(out / "02-attract-failed.png", SIZE)


@pytest.mark.timeout(300)  # the whole demo: ~110 s on a quiet machine, more when it is busy
def test_the_readme_demo_plays_every_citizen_journey(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Issues 4 and 5's "done when": `bash setup.sh demo` runs `kiosk demo`, which applies, then
    follows that application, rates it, books a counter, pays a fee and prints a certificate,
    leaving a screenshot of every screen and the PNG of every printed document."""
    monkeypatch.delenv("DISPLAY", raising=False)
    out = tmp_path / "demo"
    result = CliRunner().invoke(demo_command, ["--out", str(out)], obj=CliContext(None, False))
    assert result.exit_code == 0, result.output
    shots = sorted(p.name for p in out.glob("[0-9]*.png"))
    screens = {name.split("-", 1)[1].split(".")[0].split("-")[0] for name in shots}
    assert {"attract", "home", "catalogue", "guide", "form", "materials", "camera", "review",
            "receipt",  # apply
            "progress_list", "progress_detail", "evaluate_list", "evaluate_rate",
            "evaluate_detail",
            "appt_menu", "appt_services", "appt_slots", "appt_booked",
            "pay_due", "pay_qr", "pay_result", "collect_list", "collect_preview"} <= screens, shots
    assert shots[-1].endswith("-attract-the-end.png")  # played to the end, the card taken
    assert any(n.endswith("-home-help-acknowledged.png") for n in shots)  # 呼叫工作人员, answered
    assert all(_is_picture(out / name, SIZE) for name in shots)
    # apply receipt, progress slip, appointment slip, payment receipt: in the order printed;
    # the certificate on the A4 page printer (issue 19), its page saved and its QR readable
    receipts = sorted(out.glob("receipt-*.png"))
    assert [p.name for p in receipts] == [f"receipt-0{n}.png" for n in (1, 2, 3, 4)]
    assert all(_is_picture(p) for p in receipts)
    (page,) = out.glob("certificate-a4-*.png")
    with Image.open(page) as a4:
        assert a4.height / a4.width == pytest.approx(297 / 210, rel=0.01)
        (qr,) = [r.text for r in zxingcpp.read_barcodes(a4)]
    assert "/verify/" in qr
    # what the platform holds is what the citizen did, not just what the screens showed
    with closing(sqlite3.connect(out / "run/sim/platform/platform.sqlite3")) as db:
        assert db.execute("SELECT service_id, status FROM applications ORDER BY seq").fetchall() \
            == [("nurse-practice-registration", "submitted"),
                ("residence-permit-replacement", "submitted"),
                ("social-insurance-certificate", "collected")]
        (applied,) = db.execute("SELECT receipt_no FROM applications WHERE seq = "
                                "(SELECT min(seq) FROM applications)").fetchone()
        # rated by all four indicators: overall, efficiency, competence, attitude
        assert db.execute("SELECT receipt_no, score, efficiency, competence, attitude FROM "
                          "evaluations").fetchall() == [(applied, 5, 5, 4, 5)]
        assert db.execute("SELECT status FROM appointments").fetchall() == [("booked",)]
        assert db.execute("SELECT status FROM payments").fetchall() == [("paid",)]
        assert db.execute("SELECT count(*) FROM collections").fetchone() == (1,)
