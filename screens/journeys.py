"""The journeys this app offers. Each package's `install(app)` adds its screens to the app's
manager and registers its home tile with `app.add_journey(tile, open, forget)`; a tile with no
journey installed shows "not available at this terminal yet"."""

from __future__ import annotations

from screens import apply
from screens import appointment, pay
from screens import admin, collect
from screens import evaluate, progress

INSTALLERS = (apply.install, pay.install, appointment.install, collect.install, admin.install,
              progress.install, evaluate.install)
