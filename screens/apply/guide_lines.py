"""What the service guide (办事指南) says, page by page, as plain lines (no Kivy):
screens/apply/guide.py draws them with screens.line_stack; tests read them in both languages
without a window."""

from __future__ import annotations

from kiosk.journeys.apply import Guide
from screens.lines import Line, Plural, Translate

MATERIALS_PER_PAGE = 4
ELDER_MATERIALS_PER_PAGE = 2  # each up to two lines of 1.5× text


def name_lines(name: str, department: str) -> list[Line]:
    """The service's name (at the title's size when it fits one line: "Social-insurance
    registration for flexibly employed persons" took two at elder mode's title size, and the
    page then had no room for its fee) and its department."""
    return [Line(name, "guide_name", "title", shrink=True),
            Line(department, "guide_department")]


def skeleton_lines(name: str, department: str, loading: str | None) -> list[Line]:
    """While the guide is fetched: the name and department as the catalogue listed them."""
    waiting = [Line(loading, "guide_loading")] if loading is not None else []
    return name_lines(name, department) + waiting


def page_count(guide: Guide, elder: bool) -> int:
    per = ELDER_MATERIALS_PER_PAGE if elder else MATERIALS_PER_PAGE
    return 1 + -(-len(guide.materials) // per)


def guide_lines(guide: Guide, page: int, elder: bool, _: Translate,
                ngettext: Plural) -> list[Line]:
    """Page 0: what the service is, what it costs and how long it takes; then the materials a
    few at a time (a page of text in elder mode fits 1080 px; a list never runs over the
    buttons). Every page says so when the service cannot be applied for here."""
    if page == 0:
        limits = (_("Done on the spot") if guide.promised_limit_days == 0  # 即办件
                  else ngettext("Promised within %(n)d working day (legal limit %(legal)d)",
                                "Promised within %(n)d working days (legal limit %(legal)d)",
                                guide.promised_limit_days, legal=guide.legal_limit_days))
        lines = [*name_lines(guide.name, guide.department),
                 Line(guide.description, "guide_conditions", em=2.9),
                 Line(f"{guide.fee_text}\n{limits}", "guide_fee", em=2.9)]
    else:
        per = ELDER_MATERIALS_PER_PAGE if elder else MATERIALS_PER_PAGE
        first = (page - 1) * per
        lines = [Line(_("Materials:"), "guide_materials")]
        for n, material in enumerate(guide.materials[first:first + per]):
            notes = [_("required") if material.required else _("optional")]
            if material.elicence_may_replace:
                notes.append(_("an e-licence may replace it"))
            if material.may_promise:
                notes.append(_("may be handed in later"))
            lines.append(Line(f"• {material.name} ({', '.join(notes)})",
                              f"guide_material_{first + n}", em=2.9))
    if not guide.form_supported:
        lines.append(Line(_("This service cannot be applied for at this terminal. Please go to "
                            "a service counter."), "guide_counter", em=2.9))
    return lines
