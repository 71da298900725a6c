"""The pinyin IME answers exactly as it did before its index was packed: the same candidates in
the same order, splits, segmentation, readings and frequencies, for ~1,200 inputs (every
syllable, every two-letter abbreviation, phrases, invalid input), with and without a vocabulary.
The fixture was recorded from the dict-of-lists index by `record_outputs.py`."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from kiosk.ime.pinyin import PinyinIme
from tests.ime.record_outputs import FIXTURE, answers


@pytest.fixture(scope="module")
def recorded() -> dict:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def now(recorded: dict) -> dict:
    found = answers(PinyinIme(), recorded["texts"], recorded["inputs"])
    return json.loads(json.dumps(found, ensure_ascii=False))  # tuples as lists, as recorded


@pytest.mark.parametrize("part", ["max_syllables", "syllables", "vocabulary", "lookup",
                                  "lookup_vocabulary", "candidates_5", "split", "segment",
                                  "readings", "frequency"])
def test_answers_are_unchanged(recorded: dict, now: dict, part: str) -> None:
    before, after = recorded["answers"][part], now[part]
    if isinstance(before, dict):
        differing = [k for k in before if before[k] != after.get(k)]
        assert not differing, (part, len(differing), differing[:5],
                               [(before[k], after.get(k)) for k in differing[:2]])
        assert before.keys() == after.keys()
    assert before == after


def test_the_fixture_covers_what_it_claims(recorded: dict) -> None:
    typed = recorded["inputs"]
    assert len(recorded["answers"]["syllables"]) > 380 and {"hs", "bj", "zhq", "beij"} <= set(typed)
    lookups = recorded["answers"]["lookup"]
    assert sum(1 for t in typed if lookups[t]) > 900  # most inputs have candidates
    assert lookups[""] == [] and lookups["a" * 49] == []
    assert recorded["answers"]["lookup_vocabulary"]["hushi"][0].startswith("护士|")


def test_threads_sharing_a_fresh_instance_get_the_recorded_answers(recorded: dict) -> None:
    """Read-only after construction: the lazily built word tables (first `segment`,
    `frequency` or `readings`) may be raced for by the keyboard's and the search's workers."""
    ime = PinyinIme()
    typed = recorded["inputs"][::5]
    texts = recorded["texts"][:40]

    def work(offset: int) -> tuple[dict, dict]:
        found = {t: [f"{c.word}|{c.consumed}|{' '.join(c.syllables)}" for c in ime.lookup(t)]
                 for t in typed[offset:] + typed[:offset]}
        readings = {t: [list(r) for r in ime.readings(t)] for t in texts}
        return found, readings

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, [0, 7, 13, 29]))
    for found, readings in results:
        assert found == {t: recorded["answers"]["lookup"][t] for t in typed}
        assert readings == {t: recorded["answers"]["readings"][t] for t in texts}
