"""The application form, drawn from the service's JSON Schema and prefilled from the card and
the platform's lookup; each field checked as it is entered, in the citizen's language.

Fields come a page at a time (no scrolling: a touch lands where the finger is); a field opens
the app's own keyboard in the mode its kind needs (the digit pad, with X, for number-like
patterns), or its choices (a page of them, in screens.choice_list; a multiple choice keeps its
editor open until Done), or flips a yes/no. A refused value stays (the journey keeps it as
the field's draft) with its message under it, on the list and in the keyboard's input line;
every row keeps room for a message, so one appearing moves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.forms import Field, format_hint
from kiosk.ime.composer import Composer
from kiosk.journeys.apply import FormView
from kiosk.i18n.messages import N_
from screens.apply.field_values import shown_value
from screens.choice_list import ChoiceList
from screens.choices import option_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager
from screens.keyboard import OnScreenKeyboard
from screens.widgets import fit_to_lines

PER_PAGE, ELDER_PER_PAGE = 5, 2  # elder: three rows and the notice overran the body
# options, two to a row; fewer when the body has less room (the field's message above them
# pushed the occupation's fifth under Cancel in elder mode)
OPTIONS_PER_PAGE, ELDER_OPTIONS_PER_PAGE = 10, 6


class FormScreen(JourneyScreen):
    title_msgid = N_("Fill in the form")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.fields: list[Field] = []
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.notice: str | None = None
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.editing: Field | None = None
        self.composer: Composer | None = None
        self.option_pager = Pager(self, OPTIONS_PER_PAGE, ELDER_OPTIONS_PER_PAGE)
        self.options = ChoiceList(self, self._option_tapped)
        self.picking: list[Any] | None = None  # a multiple choice's options ticked so far

    def load(self, form: FormView) -> None:
        self.fields, self.values, self.errors = form.fields, dict(form.values), {}
        self.app.say("fill_form")
        self.editing = None
        self.pager.reset()
        self.notice = (self._("The platform could not be asked for your details: please fill "
                              "in the form yourself.") if form.lookup_problem else None)

    def let_go(self) -> None:
        super().let_go()  # and what the citizen typed or the card and lookup filled in
        self.fields, self.values, self.errors, self.notice, self.editing = [], {}, {}, None, None
        self.picking = None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        journey = self.flow.journey
        if journey is not None and self.flow.form_pending:
            # on at once (the step bar at "Fill in"); its fields come prefilled from the card
            # and the platform's lookup
            self.fields, self.editing, self.notice = [], None, None

            def started(form: FormView) -> None:
                self.flow.form_pending = False
                self.load(form)

            self.work(journey.start_form, started)
            return
        self.language_changed()  # the language may have changed on another screen
        self.refresh()

    def language_changed(self) -> None:
        """Labels and options in the current language, values as the journey holds them."""
        journey = self.flow.journey
        if journey is None or not self.fields:
            return
        self.fields = journey.form_fields()
        if self.editing is not None:
            self.editing = next((f for f in self.fields if f.name == self.editing.name), None)

    def _draft(self, field: Field) -> str | None:
        journey = self.flow.journey
        return journey.draft(field.name) if journey is not None else None

    def shown_steps(self) -> Sequence[Any]:
        """No step bar while a field is edited: the keyboard sheet needs the height (elder
        mode at 1080 px), and the citizen is on one field, not choosing where to go."""
        return () if self.editing is not None else super().shown_steps()

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        if self.flow.form_pending:
            if self.busy:
                box.add_widget(self.label(self._("Preparing your form, filled in from your ID "
                                                 "card…"), kid="form_loading",
                                          height=theme.text_px * 2.4))
            box.add_widget(Widget())
            return
        if self.editing is not None:
            self._draw_editor(box, self.editing)
            return
        if self.notice:
            box.add_widget(self.label(self.notice, kid="form_notice", height=theme.text_px * 2.4))
        shown = self.pager.shown(self.fields)
        error_px = round(theme.text_px * 0.8)
        grid = GridLayout(cols=1, spacing=10)
        for field in shown:
            row = BoxLayout(spacing=16)
            mark = " *" if field.required else ""
            row.add_widget(self.label(field.label + mark, size_hint_x=0.35))
            value = shown_value(field, self.values.get(field.name), self._)
            value = value or self._draft(field) or ""
            column = BoxLayout(orientation="vertical", spacing=4)
            column.add_widget(self.button(f"field_{field.name}", value or self._("Tap to enter"),
                                          lambda f=field: self._edit(f), size_hint_y=1,
                                          role="field"))
            # the message's line is there even when empty: one appearing moves nothing
            error = self.label(self.errors.get(field.name, ""), size=error_px,
                               height=round(error_px * 1.5), shorten=True,
                               shorten_from="right")
            if field.name in self.errors:
                error.kid = f"error_{field.name}"
            error.color = theme.error
            column.add_widget(error)
            row.add_widget(column)
            grid.add_widget(row)
        box.add_widget(grid)

    def _draw_editor(self, box: BoxLayout, field: Field) -> None:
        theme, width = self.app.theme, self.body_width
        above = [fit_to_lines(self.label(field.label, size=theme.title_px, kid="editing_label",
                                         height=theme.title_px * 1.5), width)]
        if field.options:
            help_words = field.help
            if self.picking is not None:
                help_words = " ".join(filter(None, (help_words,
                                                    self._("Choose all that apply, then Done"))))
            if help_words:
                above.append(fit_to_lines(self.label(help_words, kid="editing_help",
                                                     height=theme.text_px * 1.6), width))
            if field.name in self.errors:
                above.append(fit_to_lines(self.status("error", self.errors[field.name],
                                                      kid=f"error_{field.name}",
                                                      height=theme.text_px * 1.6), width))
            for line in above:
                box.add_widget(line)
            room = self.body_room - sum(line.height + box.spacing for line in above)
            box.add_widget(self.options.show(option_choices(field, self._ticked(field)),
                                             self.option_pager, cols=2, room=room))
            return
        box.add_widget(above[0])
        assert self.composer is not None
        box.add_widget(Widget())  # the keyboard is a sheet at the bottom, under the field
        language = "en" if self.app.prefs.language == "en" else "zh-CN"
        box.add_widget(OnScreenKeyboard(
            self.app, self.composer, lambda _text: None, lambda text: self._set(field, text),
            hint=format_hint(field, language), error=self.errors.get(field.name),
            error_kid=f"error_{field.name}", on_cancel=self._close_editor))

    def actions(self) -> list[Action]:
        _ = self._
        field = self.editing
        if field is not None:
            if not field.options:
                return []  # the keyboard sheet has its own Cancel and Done
            acts = [("edit_cancel", _("Cancel"), self._close_editor, False),
                    *self.option_pager.actions(len(field.options))]
            if self.picking is not None:
                acts.append(("edit_done", _("Done"), lambda: self._set(field, self.picking),
                             True))
            return acts
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("guide"), False)]
        if self.flow.form_pending:
            return acts  # nothing to page or send before the fields are there
        acts += self.pager.actions(len(self.fields))
        acts.append(("form_next", _("Next"), self._next, True))
        return acts

    def _edit(self, field: Field) -> None:
        if field.kind == "boolean":
            self._set(field, not bool(self.values.get(field.name)))
            return
        # the field's own message is on the editor: the form's summary line ("correct the
        # marked fields") took the height the editor's label needs in elder mode, which then
        # overprinted the header
        self.editing, self.problem = field, None
        self.option_pager.reset()
        self.picking = None
        if field.kind == "multichoice":  # ticks until Done: any number of the options
            self.picking = list(self._ticked(field))
        if not field.options:
            current = self.values.get(field.name)
            text = self._draft(field) if current is None else str(current)
            self.composer = Composer.for_field(field, text=text or "")
        self.refresh()

    def _close_editor(self) -> None:
        self.editing, self.composer, self.picking = None, None, None
        self.refresh()

    def _ticked(self, field: Field) -> list[Any]:
        """The options the field holds now (or, while a multiple choice is open, has ticked)."""
        if self.picking is not None:
            return self.picking
        value = self.values.get(field.name)
        return list(value) if isinstance(value, list) else [] if value is None else [value]

    def _option_tapped(self, key: str) -> None:
        field = self.editing
        if field is None or not field.options:
            return
        option = field.options[int(key)][0]
        if self.picking is None:  # one choice: taken at once
            self._set(field, option)
            return
        ticked = set(self.picking) ^ {option}
        self.picking = [o for o, _words in field.options if o in ticked]  # the form's order
        self.refresh()

    def _set(self, field: Field, raw: Any) -> None:
        """Validation is the journey's, in memory (no I/O): it runs here on the UI thread."""
        journey = self.flow.journey
        if journey is None:
            return
        message = journey.set_value(field.name, raw)
        if message is None:
            self.errors.pop(field.name, None)
            self.values[field.name] = journey.value(field.name)
            self.editing, self.composer, self.picking = None, None, None
        else:  # the composer keeps the text: the citizen corrects it in place
            self.errors[field.name] = message
            self.values.pop(field.name, None)
        self.refresh()

    def _next(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return
        self.errors = journey.form_errors()
        if self.errors:
            names = [f.name for f in self.fields]
            first = min((names.index(n) for n in self.errors if n in names), default=0)
            self.pager.page = first // self.pager.per_page
            self.problem = self._("Please correct the marked fields.")
            self.refresh()
            return
        self.app.show("materials")
