"""The fleet configuration repository served as static files beside the platform API.

TUF needs nothing but GET on files, so the reference platform serves `<repo>/public` under
`/fleet/` with werkzeug's static file middleware (ETag, Last-Modified, 304 on a conditional
request). It sits in front of the Flask app, so the API's contract and credential checks do
not apply: the files are public and signed, and a terminal trusts them for their signatures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from werkzeug.middleware.shared_data import SharedDataMiddleware

PREFIX = "/fleet"


def serve_fleet_repository(wsgi_app: Any, public_dir: str | Path, *,
                           max_age_s: int = 0) -> Any:
    """`wsgi_app` with `<public_dir>` (metadata/, targets/) served at /fleet/."""
    return SharedDataMiddleware(wsgi_app, {PREFIX: str(public_dir)}, cache=True,
                                cache_timeout=max_age_s, fallback_mimetype="application/octet-stream")
