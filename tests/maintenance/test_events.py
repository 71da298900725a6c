"""The event catalogue: every id declared and documented once, and code logs only those."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from kiosk.events import CatalogueError, UndeclaredEvent, catalogue, emit, parse_catalogue

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "110105194912310021"


def emit_calls(path: Path) -> list[tuple[int, ast.expr]]:
    """(line, first argument) of every call to kiosk.events' emit in a file, by any alias."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("kiosk.events",
                                                                "kiosk.events.emit"):
            names |= {a.asname or a.name for a in node.names if a.name == "emit"}
        elif isinstance(node, ast.ImportFrom) and node.module == "kiosk":
            modules |= {a.asname or a.name for a in node.names if a.name == "events"}
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (isinstance(f, ast.Name) and f.id in names) or (
                isinstance(f, ast.Attribute) and f.attr == "emit"
                and isinstance(f.value, ast.Name) and f.value.id in modules):
            calls.append((node.lineno, node.args[0] if node.args else None))
    return calls


def all_emit_calls() -> list[tuple[str, int, ast.expr]]:
    found = []
    for package in ("kiosk", "screens"):
        for path in sorted((ROOT / package).rglob("*.py")):
            found += [(str(path.relative_to(ROOT)), line, arg)
                      for line, arg in emit_calls(path)]
    return found


def test_every_id_emitted_in_code_is_declared() -> None:
    calls = all_emit_calls()
    ids = {arg.value for _, _, arg in calls if isinstance(arg, ast.Constant)}
    assert {"admin_login_failed", "audit_verified"} <= ids  # the scan sees real calls
    declared = catalogue()
    problems = [f"{path}:{line}: the event id must be a string literal"
                for path, line, arg in calls
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str))]
    problems += [f"{path}:{line}: {arg.value!r} is not declared in kiosk/events/events.toml"
                 for path, line, arg in calls
                 if isinstance(arg, ast.Constant) and arg.value not in declared]
    assert not problems, "\n".join(problems)


def test_the_scan_finds_an_undeclared_id(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("from kiosk.events import emit as log_event\n"
                      "from kiosk import events\n"
                      "log_event('no_such_event')\nevents.emit(name)\nctx.emit({}, 'text')\n")
    found = emit_calls(source)
    assert [getattr(arg, "value", None) for _, arg in found] == ["no_such_event", None]
    assert "no_such_event" not in catalogue()


def test_every_declared_id_is_documented() -> None:
    specs = catalogue()
    assert len(specs) >= 20
    for spec in specs.values():
        assert len(spec.doc) >= 20, f"{spec.id}: a sentence a technician can act on"
    for closing in [s for s in specs if s.endswith("_complete")]:
        assert specs[closing].disposition, f"{closing} must carry a disposition"
        assert closing.replace("_complete", "_init") in specs, f"{closing} without its _init"


@pytest.mark.parametrize("text, complaint", [
    ('[x_y]\ncategory = "device"\nlevel = "info"\n', "doc is required"),
    ('[x_y]\ncategory = "device"\ndoc = "  "\n', "doc is required"),
    ('[x_y]\ncategory = "nowhere"\ndoc = "d"\n', "category"),
    ('[x_y]\ncategory = "device"\ndoc = "d"\nlevel = "loud"\n', "level"),
    ('[x_y]\ncategory = "device"\ndoc = "d"\nfeilds = []\n', "unknown key"),
    ('[Bad-Id]\ncategory = "device"\ndoc = "d"\n', "snake_case"),
    ('[x_y]\ncategory = "device"\ndoc = "d"\nfields = ["event"]\n', "reserved"),
])
def test_a_malformed_catalogue_is_refused(text: str, complaint: str) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        parse_catalogue(text)


def test_undeclared_ids_fields_and_dispositions_are_refused() -> None:
    with pytest.raises(UndeclaredEvent, match="not declared"):
        emit("card_slotted", device="idcard")
    with pytest.raises(UndeclaredEvent, match="no field"):
        emit("card_inserted", device="idcard", id_number=ID_NUMBER)
    with pytest.raises(UndeclaredEvent, match="needs a disposition"):
        emit("print_job_complete", device="printer")
    with pytest.raises(UndeclaredEvent, match="needs a disposition"):
        emit("print_job_complete", "fine", device="printer")
    with pytest.raises(UndeclaredEvent, match="takes no disposition"):
        emit("card_inserted", "success", device="idcard")


def test_an_event_is_one_structured_masked_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="kiosk.events")
    line = emit("print_job_complete", "failure", device="printer", job=f"for {ID_NUMBER}",
                reason="paper out")
    assert line == ('event=print_job_complete disposition=failure device=printer '
                    'job="for 110105********0021" reason="paper out"')
    record = caplog.records[-1]
    assert record.levelno == logging.INFO and record.getMessage() == line
    assert record.event_id == "print_job_complete" and record.disposition == "failure"
    assert record.event_fields["job"] == "for 110105********0021"
    assert ID_NUMBER not in caplog.text
    emit("paper_out", device="printer")
    assert caplog.records[-1].levelno == logging.ERROR
