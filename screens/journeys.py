"""The journeys this app offers. Each package's `install(app)` adds its screens to the app's
manager and registers its home tile with `app.add_journey(tile, open, forget)`; a tile with no
journey installed shows "not available at this terminal yet"."""

from __future__ import annotations

from screens import apply

INSTALLERS = (apply.install,)
