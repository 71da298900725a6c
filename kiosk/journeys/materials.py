"""The materials step of the apply journey: for each material of the service, how the citizen
hands it in (pages scanned here, an e-licence they hold, or a promise to bring it later).

Scanned pages go straight to files in the session's private directory (`Session.add_scan`);
the plan keeps only their paths, so a page is in memory just while it is written and, at
submit, while it is encoded into the request. The session's wipe removes the files.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kiosk.api import models as m
from kiosk.journeys.problems import JourneyProblem

Source = Literal["scan", "elicence", "promised"]
MAX_PROMISE_DAYS = 90  # the platform refuses a promise further out (refplatform/applications)
_MEDIA = {b"\xff\xd8\xff": ("image/jpeg", ".jpg"), b"%PDF-": ("application/pdf", ".pdf")}


@dataclass
class Choice:
    """How one material is handed in; `pages` are files in the session directory."""

    source: Source
    pages: list[Path] = field(default_factory=list)
    elicence_id: str | None = None
    promised_by: dt.date | None = None


@dataclass(frozen=True)
class MaterialView:
    """One material as the materials screen shows it."""

    material_id: str
    name: str
    kind: str
    required: bool
    pages_min: int
    pages_max: int
    pages: int  # pages scanned so far
    elicence: m.ELicence | None  # the applicant's e-licence that may replace it
    may_promise: bool
    source: Source | None  # what the citizen chose so far
    promised_by: dt.date | None
    complete: bool  # enough for the application (or optional and left out)


def media_of(data: bytes) -> tuple[str, str]:
    """(media type, file suffix) of a scanned page; JourneyProblem for anything else."""
    for magic, media in _MEDIA.items():
        if data.startswith(magic):
            return media
    raise JourneyProblem("journey.not_a_scan", detail="a page is neither JPEG nor PDF")


def usable_elicence(material: m.Material, elicences: list[m.ELicence],
                    today: dt.date) -> m.ELicence | None:
    """The applicant's valid e-licence of the kind that replaces `material`, if any."""
    if material.elicence_kind is None:
        return None
    for licence in elicences:
        if licence.kind == material.elicence_kind and (
                licence.valid_until is None or licence.valid_until >= today):
            return licence
    return None


def is_complete(material: m.Material, choice: Choice | None) -> bool:
    if choice is None:
        return not material.required
    if choice.source == "scan":
        return material.pages_min <= len(choice.pages) <= material.pages_max \
            and bool(choice.pages)
    return True


def view(material: m.Material, choice: Choice | None, elicence: m.ELicence | None,
         name: str) -> MaterialView:
    return MaterialView(
        material_id=material.material_id, name=name, kind=material.kind,
        required=material.required, pages_min=material.pages_min,
        pages_max=material.pages_max,
        pages=len(choice.pages) if choice and choice.source == "scan" else 0,
        elicence=elicence, may_promise=material.may_promise,
        source=choice.source if choice else None,
        promised_by=choice.promised_by if choice else None,
        complete=is_complete(material, choice))


def check_promise(material: m.Material, by: dt.date, today: dt.date) -> None:
    if not material.may_promise:
        raise JourneyProblem("journey.cannot_promise",
                             detail=f"material {material.material_id} may not be promised")
    if not today <= by <= today + dt.timedelta(days=MAX_PROMISE_DAYS):
        raise JourneyProblem("journey.promise_date", detail="promised date out of range")


def submission(material_id: str, choice: Choice) -> dict[str, Any]:
    """The contract's `MaterialSubmission` (pages read from their files and base64-encoded)."""
    if choice.source == "elicence":
        return {"material_id": material_id, "source": "elicence",
                "elicence_id": choice.elicence_id}
    if choice.source == "promised":
        assert choice.promised_by is not None
        return {"material_id": material_id, "source": "promised",
                "promised_by": choice.promised_by.isoformat()}
    pages = []
    for path in choice.pages:
        data = path.read_bytes()
        media_type, _ = media_of(data)
        pages.append({"media_type": media_type,
                      "content": base64.b64encode(data).decode("ascii")})
        del data
    return {"material_id": material_id, "source": "scan", "pages": pages}
