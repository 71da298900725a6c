"""Whatever is typed into whatever field, checking never crashes and never repeats the value."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.forms import form_fields, possible_messages, validate_field, validate_form
from kiosk.forms.messages import MESSAGES
from kiosk.i18n import translator
from tests.forms.conftest import FORMS

LANGS = ("zh-CN", "en")
FIELDS = [(service, field, language) for service, schema in sorted(FORMS.items())
          for language in LANGS for field in form_fields(schema, language)]
# Every message in every language, as the catalogue words it (placeholders left unfilled).
CATALOGUE = " ".join(translator(lang).gettext(msgid) for msgid in MESSAGES.values()
                     for lang in LANGS)
SETTINGS = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Plain text, and text made of what codes are made of (digits, full-width digits, X, dashes).
typed = st.one_of(st.text(max_size=40),
                  st.text(alphabet="0123456789０１２３４５６７８９Xx-./ 年月日", max_size=25))


def _echoes(value: object, message: str) -> bool:
    """A value "appears" in a message only if it is long enough to mean something."""
    text = str(value).strip()
    return len(text) >= 4 and text not in CATALOGUE and text in message


@SETTINGS
@given(st.sampled_from(FIELDS), typed)
def test_random_text_in_any_field_never_raises_nor_echoes(where, raw) -> None:
    _, field, language = where
    value, message = validate_field(field, raw, language)
    assert (value is None) or (message is None)
    if message is not None:
        assert message in possible_messages(field, language)
        assert not _echoes(raw, message)


@SETTINGS
@given(st.sampled_from([w for w in FIELDS if w[1].kind == "multichoice"]),
       st.lists(typed, max_size=4))
def test_random_choices_never_raise_nor_echo(where, raw) -> None:
    _, field, language = where
    _, message = validate_field(field, raw, language)
    if message is not None:
        assert message in possible_messages(field, language)
        assert not any(_echoes(item, message) for item in raw)


json_values = st.one_of(typed, st.integers(), st.floats(), st.booleans(), st.none(),
                        st.lists(typed, max_size=3))


@SETTINGS
@given(st.sampled_from(sorted(FORMS)), st.sampled_from(LANGS), st.data())
def test_random_forms_never_raise_nor_echo(service, language, data) -> None:
    schema = FORMS[service]
    names = st.sampled_from([*schema["properties"], "extra_field"])
    values = data.draw(st.dictionaries(names, json_values, max_size=8))
    errors = validate_form(schema, values, language)
    allowed = set().union(*(possible_messages(f, language)
                            for f in form_fields(schema, language)))
    for name, message in errors.items():
        assert name in schema["properties"] or name in values
        assert message in allowed
        flat = [v for value in values.values()
                for v in (value if isinstance(value, list) else [value])]
        assert not any(_echoes(v, message) for v in flat)
