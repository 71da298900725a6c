"""The catalogue's words come first among the pinyin candidates: at a government terminal
"hushi" means 护士 and "yiyuan" 医院, whatever jieba's general frequencies say."""

from __future__ import annotations

import re
import statistics
import time

import pytest

from kiosk.ime.composer import Composer
from kiosk.ime.pinyin import PinyinIme, default_ime
from kiosk.ime.vocabulary import (VocabularyHolder, Vocabulary, catalogue_texts, service_texts,
                                  service_words)
from kiosk.journeys.apply import CatalogueCache
from kiosk.refplatform.seed import load_services


@pytest.fixture(scope="module")
def ime() -> PinyinIme:
    return default_ime()


@pytest.fixture(scope="module")
def services() -> list[dict]:
    return load_services()


@pytest.fixture(scope="module")
def catalogue(ime: PinyinIme, services: list[dict]) -> Vocabulary:
    return Vocabulary.from_texts(ime, catalogue_texts(services))


@pytest.fixture(scope="module")
def terminal(ime: PinyinIme, services: list[dict]) -> Vocabulary:
    """What the terminal ranks with: the shipped service words and the catalogue's."""
    return Vocabulary.from_texts(ime, [*service_words(), *catalogue_texts(services)])


def first(ime: PinyinIme, typed: str, vocabulary: Vocabulary | None) -> list[str]:
    return [c.word for c in ime.lookup(typed, 6, vocabulary)]


def test_the_dictionary_alone_ranks_the_general_words_first(ime: PinyinIme) -> None:
    """The problem as citizens met it."""
    assert first(ime, "hushi", None)[:2] == ["忽视", "护士"]
    assert first(ime, "yiyuan", None)[:2] == ["亿元", "医院"]


def test_catalogue_words_come_first(ime: PinyinIme, catalogue: Vocabulary,
                                    terminal: Vocabulary) -> None:
    assert "护士" in catalogue.words  # from 护士执业注册
    assert first(ime, "hushi", catalogue)[0] == "护士"
    assert first(ime, "hushi", terminal)[0] == "护士"
    assert first(ime, "yiyuan", terminal)[0] == "医院"
    assert first(ime, "hush", terminal)[0] == "护士"  # an unfinished syllable too
    assert first(ime, "gongjijin", terminal)[0] == "公积金"
    # the general words are still offered, after
    assert "忽视" in first(ime, "hushi", terminal) and "亿元" in first(ime, "yiyuan", terminal)
    # words the catalogue does not hold keep the dictionary's order
    assert first(ime, "beijing", terminal)[:2] == first(ime, "beijing", None)[:2]


def test_whole_service_names_are_candidates(ime: PinyinIme, catalogue: Vocabulary) -> None:
    assert first(ime, "jzzbl", catalogue)[0] == "居住证补领"
    assert first(ime, "juzhuzhengbuling", catalogue)[0] == "居住证补领"
    assert first(ime, "jzzbl", None) == []


def test_a_chosen_services_form_words_come_first(ime: PinyinIme, services: list[dict]) -> None:
    birth = next(s for s in services if s["service_id"] == "birth-registration")
    texts = service_texts(birth)
    assert "分娩医院" in texts
    vocabulary = Vocabulary.from_texts(ime, texts)
    assert first(ime, "yiyuan", vocabulary)[0] == "医院"
    assert first(ime, "fenmian", vocabulary)[0] == "分娩"


def test_the_keyboard_ranks_with_the_terminals_vocabulary(ime: PinyinIme,
                                                          terminal: Vocabulary) -> None:
    composer = Composer(("pinyin",), ime=lambda: ime, vocabulary=lambda: terminal)
    for ch in "hushi":
        composer.press(ch)
    assert composer.candidates[0].word == "护士"
    assert composer.choose(0) and composer.text == "护士"


def test_fetching_the_catalogue_gives_the_keyboard_its_words(
        services: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    import kiosk.journeys.apply as apply

    holder = VocabularyHolder()
    monkeypatch.setattr(apply, "SHARED_VOCABULARY", holder)
    assert holder.get() is None
    CatalogueCache().store([dict(s) for s in services], None)  # type: ignore[arg-type]
    vocabulary = holder.get()
    assert vocabulary is not None and {"护士", "医院", "居住证补领"} <= vocabulary.words


def test_ranking_with_the_vocabulary_stays_fast(ime: PinyinIme, terminal: Vocabulary) -> None:
    """Per keystroke: the vocabulary adds little to a lookup (bench/ime_bench.py measures)."""
    typed = ["zhong", "beijing", "shenfenzheng", "nh", "beij", "nihaoshijie", "hushi",
             "yiyuan", "zhangsanlisiwangwu"]

    def median_ms(vocabulary: Vocabulary | None) -> float:
        times = []
        for _ in range(15):
            for t in typed:
                start = time.perf_counter()
                ime.lookup(t, 96, vocabulary)
                times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    plain, ranked = median_ms(None), median_ms(terminal)
    assert ranked < 5.0, f"{ranked:.2f} ms per lookup"
    assert ranked < plain * 2 + 0.2, (plain, ranked)


def test_choosing_a_service_segments_only_its_own_new_words(
        ime: PinyinIme, services: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    """A citizen waits on the guide while the chosen service's words are added: the shipped
    words and the catalogue's, segmented once, are not segmented again (issue 16); and the
    vocabulary is the one built from all the texts at once."""
    holder = VocabularyHolder()
    holder.set_catalogue(ime, catalogue_texts(services))
    segmented: list[str] = []
    real_segment = ime.segment
    monkeypatch.setattr(ime, "segment", lambda run: segmented.append(run) or real_segment(run))
    birth = next(s for s in services if s["service_id"] == "birth-registration")
    holder.set_service(ime, service_texts(birth))
    assert segmented and "分娩医院" in segmented
    catalogue_runs = {r for t in catalogue_texts(services) for r in _han_runs(t)}
    assert not set(segmented) & (catalogue_runs - {r for t in service_texts(birth)
                                                   for r in _han_runs(t)})
    assert holder.get() == Vocabulary.from_texts(
        ime, [*service_words(), *catalogue_texts(services), *service_texts(birth)])
    segmented.clear()
    holder.set_service(ime, service_texts(birth))  # the same service again: nothing new
    assert segmented == []


def _han_runs(text: str) -> list[str]:
    return re.findall(r"[\u3400-\u9fff]+", text)
