"""A realistic application body from the reference platform's seed: a demo citizen applying for
nurse practice registration with two pages scanned, e-licences and one promised material."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta
from typing import Any

import numpy as np
from PIL import Image

from kiosk.refplatform.seed import load_citizens, load_examples, load_services

SERVICE_ID = "nurse-practice-registration"
APPLICANT = "110101199003071233"


def scanned_page(seed: int, side_px: int = 400) -> dict[str, str]:
    """A JPEG of noise: it compresses about as badly as a photographed page (~100 KB)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (side_px, side_px), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, "JPEG", quality=70)
    return {"media_type": "image/jpeg", "content": base64.b64encode(out.getvalue()).decode()}


def sample_application(service_id: str = SERVICE_ID, id_number: str = APPLICANT
                       ) -> dict[str, Any]:
    """An `ApplicationCreate` without `client_reference` (the outbox fills it in)."""
    service = next(s for s in load_services() if s["service_id"] == service_id)
    citizen = load_citizens()[id_number]
    held = {e["kind"]: e["licence_id"] for e in citizen["elicences"]}
    materials: list[dict[str, Any]] = []
    for n, material in enumerate(m for m in service["materials"] if m["required"]):
        if material["elicence_kind"] in held:
            materials.append({"material_id": material["material_id"], "source": "elicence",
                              "elicence_id": held[material["elicence_kind"]]})
        elif material["may_promise"]:
            materials.append({"material_id": material["material_id"], "source": "promised",
                              "promised_by": (date.today() + timedelta(days=10)).isoformat()})
        else:
            materials.append({"material_id": material["material_id"], "source": "scan",
                              "pages": [scanned_page(n * 10 + p)
                                        for p in range(max(1, material["pages_min"]))]})
    return {
        "service_id": service_id,
        "applicant": {"id_kind": "resident", "id_number": id_number,
                      "name": citizen["prefill"]["name"],
                      "mobile": citizen["prefill"]["mobile"]},
        "form": load_examples()[service_id][0],
        "materials": materials,
    }
