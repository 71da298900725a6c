"""The admin screen: devices (status, recent history, a test for each, paper replaced), the
outbox, the last errors, the platform's reachability, versions and configuration layers,
out-of-service mode, restart and reboot. Every action goes through kiosk.admin.service, which
audits it; this screen only draws and touches."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.admin.device_tests import TestResult
from kiosk.i18n.messages import N_
from screens.admin.frame import AdminFrame

TABS = (("devices", N_("Devices")), ("outbox", N_("Outbox")), ("errors", N_("Last errors")),
        ("network", N_("Network")), ("versions", N_("Versions")),
        ("service", N_("Out of service")), ("power", N_("Restart")))
# What citizens read on home while the terminal is out of service (translated there).
OUT_OF_SERVICE_MESSAGES = (N_("This terminal is under maintenance."),
                           N_("This terminal is temporarily out of service."),
                           N_("This terminal is out of paper."))
MAX_ERRORS_SHOWN = 8
MAX_PRINTS_SHOWN = 4
# What became of a print of unknown outcome (kiosk.prints.journal states), in staff's words.
PRINT_STATES = {"outcome_unknown": N_("the platform not told yet"),
                "queued": N_("counted as printed, waiting in the outbox"),
                "recorded": N_("counted as printed at the platform")}


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts).strftime("%m-%d %H:%M:%S")


class AdminPanelScreen(AdminFrame):
    title_msgid = N_("Terminal administration")

    def __init__(self, app, service, **kwargs: Any) -> None:
        super().__init__(app, service, **kwargs)
        self.tab = "devices"
        self.results: dict[str, TestResult] = {}
        self.reachability: Any = None
        self.confirming: str | None = None  # restart / reboot wait for a second press

    def on_pre_enter(self, *_args: Any) -> None:
        self.tab, self.results, self.confirming = "devices", {}, None
        self.problem = self.busy = None
        self.refresh()

    def actions(self) -> list:
        return [("admin_close", self._("Close"), lambda: self.close("staff"))]

    def show_tab(self, tab: str) -> None:
        self.tab, self.confirming, self.problem = tab, None, None
        if tab == "network":
            self.work(self._("Checking the platform…"), self.service.reachability,
                      lambda report: setattr(self, "reachability", report))
            return
        self.refresh()

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        tabs = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=8)
        for tab, msgid in TABS:
            tabs.add_widget(self.button(f"tab_{tab}", self._(msgid),
                                        lambda tab=tab: self.show_tab(tab),
                                        selected=tab == self.tab, font_size=theme.text_px * 0.8))
        box.add_widget(tabs)
        content = BoxLayout(orientation="vertical", spacing=8)
        getattr(self, f"_draw_{self.tab}")(content)
        box.add_widget(content)

    def line(self, box: BoxLayout, text: str, kid: str | None = None) -> None:
        box.add_widget(self.label(text, kid=kid, size=round(self.app.theme.text_px * 0.8),
                                  height=self.app.theme.text_px * 1.2))

    # ---- devices -------------------------------------------------------------------------------

    def _draw_devices(self, box: BoxLayout) -> None:
        theme = self.app.theme
        for row in self.service.device_rows():
            line = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
            history = ", ".join(f"{_when(h.at)} {h.state}" + (f" ({h.reason})" if h.reason
                                                               else "") for h in row.history[:2])
            text = f"{row.name}: {row.state}" + (f" ({row.reason})" if row.reason else "")
            result = self.results.get(row.name)
            if result is not None:
                text += "  —  " + self._result_words(result)
            label = self.label(text + (f"\n  {history}" if history else ""),
                               kid=f"device_{row.name}", size=round(theme.text_px * 0.7))
            line.add_widget(label)
            if row.testable:
                line.add_widget(self.button(f"test_{row.name}", self._("Test"),
                                            lambda name=row.name: self.test(name),
                                            size_hint_x=None, width=theme.button_height_px * 2))
            box.add_widget(line)
        paper = self.service.paper_use()
        bar = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
        bar.add_widget(self.label(self._("Receipts on this paper roll: %(n)d of about %(total)d",
                                         n=paper.jobs, total=paper.roll_jobs)
                                  + (" — " + self._("paper low") if paper.low else ""),
                                  kid="paper_use", size=round(theme.text_px * 0.8)))
        bar.add_widget(self.button("paper_replaced", self._("Paper replaced"),
                                   self.paper_replaced, size_hint_x=None,
                                   width=theme.button_height_px * 4))
        box.add_widget(bar)
        if self.service.has_page_printer():
            sheets = self.service.a4_paper_use()
            tray = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=12)
            tray.add_widget(self.label(
                self._("A4 sheets used since the tray was filled: %(n)d of about %(total)d",
                       n=sheets.jobs, total=sheets.roll_jobs)
                + (" — " + self._("paper low") if sheets.low else ""),
                kid="a4_paper_use", size=round(theme.text_px * 0.8)))
            tray.add_widget(self.button("a4_paper_loaded", self._("A4 tray filled"),
                                        self.a4_paper_loaded, size_hint_x=None,
                                        width=theme.button_height_px * 4))
            box.add_widget(tray)
        self._draw_unknown_prints(box)

    def _draw_unknown_prints(self, box: BoxLayout) -> None:
        """Prints nobody could confirm (kiosk killed mid-job, printer silent): counted as
        printed, never printed again as a first copy; staff look at the printer and the
        citizen's copy."""
        prints = self.service.unknown_prints()
        if not prints:
            return
        self.line(box, self._("Prints of unknown outcome: %(n)d (check the printer)",
                              n=len(prints)), "prints_unknown")
        for n, entry in enumerate(prints[:MAX_PRINTS_SHOWN]):
            state = PRINT_STATES.get(entry.state)
            self.line(box, self._("%(when)s certificate %(certificate)s: %(state)s",
                                  when=_when(entry.at), certificate=entry.certificate_id,
                                  state=self._(state) if state else entry.state),
                      f"print_unknown_{n}")

    def _result_words(self, result: TestResult) -> str:
        facts = ", ".join(f"{k}={v}" for k, v in result.facts.items())
        if result.ok:
            return self._("test passed") + (f" ({facts})" if facts else "")
        return self._("test failed: %(reason)s", reason=result.reason or "?") + (
            f" ({facts})" if facts else "")

    def test(self, name: str) -> None:
        self.work(self._("Testing %(device)s…", device=name),
                  lambda: self.service.run_test(name),
                  lambda result: self.results.__setitem__(name, result))

    def paper_replaced(self) -> None:
        self.service.paper_replaced()
        self.refresh()

    def a4_paper_loaded(self) -> None:
        self.service.a4_paper_loaded()
        self.refresh()

    # ---- outbox --------------------------------------------------------------------------------

    def _draw_outbox(self, box: BoxLayout) -> None:
        s = self.service.outbox_summary()
        if not s.present:
            self.line(box, self._("No platform link: %(reason)s", reason=s.problem or "?"),
                      "outbox_summary")
            return
        age = "" if s.oldest_pending_at is None else " (" + self._(
            "oldest %(n)d min", n=int((time.time() - s.oldest_pending_at) // 60)) + ")"
        self.line(box, self._("Waiting: %(n)d", n=s.pending) + age
                  + "   " + self._("Refused: %(n)d", n=len(s.refused)), "outbox_summary")
        for item in s.refused[:6]:
            self.line(box, f"{item.reference} {item.kind}: {item.reason or ''}",
                      f"refused_{item.id}")
        if s.stuck:
            self.line(box, self._("Failing for more than %(min)d min: %(n)d (the rest is sent "
                                  "around them)", min=int((s.stuck_after_s or 0) // 60),
                                  n=len(s.stuck)), "outbox_stuck")
        for item in s.stuck[:4]:
            self.line(box, self._("%(reference)s %(kind)s: queued %(when)s, %(n)d tries, "
                                  "%(error)s", reference=item.reference, kind=item.kind,
                                  when=_when(item.queued_at), n=item.attempts,
                                  error=(item.error or "?")[:80]), f"stuck_{item.id}")
        if s.last_error:
            self.line(box, self._("Last error: %(error)s", error=s.last_error[:120]))
        box.add_widget(self.button("send_now", self._("Send now"), self.send_now,
                                   size_hint_x=None, width=self.app.theme.button_height_px * 4))

    def send_now(self) -> None:
        n = self.service.send_now()
        self.problem = self._("%(n)d waiting item(s) will be sent now.", n=n)
        self.refresh()

    # ---- errors --------------------------------------------------------------------------------

    def _draw_errors(self, box: BoxLayout) -> None:
        records = self.service.last_errors()[:MAX_ERRORS_SHOWN]
        if not records:
            self.line(box, self._("No warnings or errors since the app started."), "errors_none")
        for n, r in enumerate(records):
            self.line(box, f"{_when(r.at)} {r.level} {r.logger}: {r.message[:140]}", f"error_{n}")

    # ---- network -------------------------------------------------------------------------------

    def _draw_network(self, box: BoxLayout) -> None:
        report = self.reachability
        if report is None:
            return
        state = (self._("authenticated") if report.authenticated else
                 self._("refuses this terminal") if report.reachable else self._("unreachable"))
        self.line(box, f"{report.url}: {state}", "platform_state")
        self.line(box, report.detail[:160])
        box.add_widget(self.button("check_again", self._("Check again"),
                                   lambda: self.show_tab("network"), size_hint_x=None,
                                   width=self.app.theme.button_height_px * 4))

    # ---- versions ------------------------------------------------------------------------------

    def _draw_versions(self, box: BoxLayout) -> None:
        v = self.service.versions()
        self.line(box, f"{v.terminal}  app {v.app}  config {v.config or '-'}  "
                       f"Python {v.python}", "versions")
        for name, path in v.layers:
            self.line(box, f"{name}: {path}")
        for key, source in v.sources.items():
            self.line(box, f"  {key} ← {source}")
        if v.fleet_failure is not None:
            failure = v.fleet_failure
            self.line(box, self._("Last fleet update not in force (%(when)s): %(reason)s",
                                  when=failure["at"], reason=failure["reason"][:160]),
                      "fleet_failure")

    # ---- out of service ------------------------------------------------------------------------

    def _draw_service(self, box: BoxLayout) -> None:
        state = self.service.out_of_service()
        theme = self.app.theme
        if state is not None:
            self.line(box, self._("Out of service since %(when)s: %(message)s",
                                  when=_when(state.since), message=self._(state.message)),
                      "oos_state")
            if state.nearest_counter:
                self.line(box, self._("Nearest counter: %(where)s", where=state.nearest_counter))
            if state.reason:  # the terminal took itself out: why, in staff's words (English)
                self.line(box, state.reason, "oos_reason")
            box.add_widget(self.button("back_in_service", self._("Back in service"),
                                       self.back_in_service, role="primary"))
            return
        self.line(box, self._("In service. Take it out with a message for citizens:"),
                  "oos_state")
        counter = self.service.nearest_counter_default
        if counter:
            self.line(box, self._("Nearest counter: %(where)s", where=counter))
        for n, msgid in enumerate(OUT_OF_SERVICE_MESSAGES):
            box.add_widget(self.button(f"oos_{n}", self._(msgid),
                                       lambda msgid=msgid: self.take_out(msgid),
                                       font_size=round(theme.text_px * 0.8)))

    def take_out(self, msgid: str) -> None:
        self.service.set_out_of_service(msgid)
        self.refresh()

    def back_in_service(self) -> None:
        self.service.back_in_service()
        self.refresh()

    # ---- restart / reboot ----------------------------------------------------------------------

    def _draw_power(self, box: BoxLayout) -> None:
        for what, msgid, again in (
                ("restart", N_("Restart the app"), N_("Press again to restart the app")),
                ("reboot", N_("Reboot the terminal"), N_("Press again to reboot the terminal"))):
            confirm = self.confirming == what
            box.add_widget(self.button(f"confirm_{what}" if confirm else what,
                                       self._(again if confirm else msgid),
                                       lambda what=what: self.power(what),
                                       role="danger" if confirm else "secondary"))

    def power(self, what: str) -> None:
        if self.confirming != what:
            self.confirming = what
            self.refresh()
            return
        self.confirming = None
        if what == "restart":
            if self.service.restart_app():
                self.app.stop()  # systemd (Restart=always) starts a fresh process
                return
        else:
            self.work(self._("Rebooting…"), self.service.reboot, lambda _r: None)
            return
        self.refresh()
