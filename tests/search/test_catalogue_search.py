"""Finding a service the way citizens type it, over the reference platform's seed catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.refplatform.seed import load_services
from kiosk.search import CatalogueIndex

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> list[dict]:
    return load_services()


@pytest.fixture(scope="module")
def index(services: list[dict]) -> CatalogueIndex:
    return CatalogueIndex(services)


def ids(results: list[dict]) -> list[str]:
    return [s["service_id"] for s in results]


def first(index: CatalogueIndex, query: str, audience: str | None = None) -> str:
    found = index.search(query, audience)
    assert found, f"nothing found for {query!r}"
    return found[0]["service_id"]


def test_empty_query_lists_the_catalogue_in_its_order(index: CatalogueIndex,
                                                      services: list[dict]) -> None:
    assert ids(index.search("")) == ids(services)
    assert ids(index.search("   ")) == ids(services)
    assert ids(index.search("", audience="enterprise")) == [
        s["service_id"] for s in services if s["audience"] == "enterprise"]


@pytest.mark.parametrize(("query", "service_id"), [
    ("护士执业注册", "nurse-practice-registration"),   # exact
    ("护士", "nurse-practice-registration"),           # start of the name
    ("电梯", "residential-lift-installation"),          # inside the name
    ("社保", "social-insurance-certificate"),           # usual short form (characters in order)
    ("护士 注册", "nurse-practice-registration"),        # spaces ignored, a word skipped
    ("hszc", "nurse-practice-registration"),          # initials of 护士…注册
    ("HSZC", "nurse-practice-registration"),
    ("hushi", "nurse-practice-registration"),          # full pinyin
    ("Hu Shi", "nurse-practice-registration"),
    ("hu'shi", "nurse-practice-registration"),
    ("dianti", "residential-lift-installation"),
    ("jiazhuangdianti", "residential-lift-installation"),
    ("gongjijin", "housing-fund-deposit-certificate"),
    ("gjj", "housing-fund-deposit-certificate"),
    ("wufanzui", "no-criminal-record-certificate"),
    ("tongxingzheng", "hk-macao-travel-endorsement"),   # 行 read xing in context
    ("business", "individual-business-registration"),
    ("Nurse", "nurse-practice-registration"),
    ("lift", "residential-lift-installation"),
    ("criminal rec", "no-criminal-record-certificate"),  # word prefixes
    ("residence permit", "residence-permit-endorsement"),
])
def test_best_match(index: CatalogueIndex, query: str, service_id: str) -> None:
    assert first(index, query) == service_id


def test_business_finds_both_business_services(index: CatalogueIndex) -> None:
    assert ids(index.search("business"))[:2] == [
        "individual-business-registration", "food-business-licence"]


def test_shebao_finds_the_social_insurance_certificate(index: CatalogueIndex) -> None:
    assert first(index, "shebao") == "social-insurance-certificate"
    assert first(index, "social insurance") == "social-insurance-certificate"


def test_closer_matches_rank_higher(index: CatalogueIndex) -> None:
    found = ids(index.search("证明"))
    assert set(found[:4]) == {"social-insurance-certificate", "housing-fund-deposit-certificate",
                              "no-criminal-record-certificate",
                              "household-registration-certificate"}
    # the department only counts after every name match
    found = ids(index.search("卫生"))
    assert found[0] == "public-place-hygiene-licence"
    assert "nurse-practice-registration" in found[1:]
    # the two 居住证 services first (contiguous initials), then looser matches
    assert set(ids(index.search("jzz"))[:2]) == {"residence-permit-endorsement",
                                                 "residence-permit-replacement"}


def test_audience_filters(index: CatalogueIndex) -> None:
    assert ids(index.search("business", audience="enterprise"))[:2] == [
        "individual-business-registration", "food-business-licence"]
    assert ids(index.search("business", audience="individual")) == []
    assert ids(index.search("hszc", audience="enterprise")) == []


@pytest.mark.parametrize("query", ["xyzq", "qqqq", "火星", "zzzzzzzz", "a" * 500, "!!!"])
def test_nonsense_finds_nothing(index: CatalogueIndex, query: str) -> None:
    assert index.search(query) == []


def test_results_are_the_catalogue_dicts(index: CatalogueIndex, services: list[dict]) -> None:
    assert index.search("hushi")[0] is services[0]


def test_summaries_without_details_are_indexed() -> None:
    summaries = [{"service_id": "a", "name": {"zh-CN": "银行开户", "en": "Open a bank account"},
                  "audience": "individual", "department": {"zh-CN": "银行", "en": "Bank"}},
                 {"service_id": "b", "name": {"zh-CN": "步行街", "en": "Pedestrian street"},
                  "audience": "individual"}]
    index = CatalogueIndex(summaries)
    assert ids(index.search("yinhang")) == ["a"]      # 行 read hang in 银行
    assert ids(index.search("buxing")) == ["b"]       # and xing in 步行
    assert ids(index.search("yinxing")) == ["a"]      # other readings count when typed in full
    assert ids(index.search("account")) == ["a"]
    assert ids(index.search("bank")) == ["a"]


def test_searching_needs_neither_pypinyin_nor_jieba() -> None:
    """Readings come from the IME's prebuilt index: importing pypinyin costs ~58 MB."""
    code = ("import sys\n"
            "from kiosk.refplatform.seed import load_services\n"
            "from kiosk.search import CatalogueIndex\n"
            "assert CatalogueIndex(load_services()).search('hszc')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pypinyin', 'jieba')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@settings(max_examples=200, deadline=500)
@given(st.text(alphabet=st.sampled_from(list("abcdehijnosuz '-社保护士证明电梯A1")), max_size=80))
def test_any_query_answers_quickly_with_catalogue_entries(query: str) -> None:
    index = CatalogueIndex(load_services())
    found = index.search(query)
    assert len({s["service_id"] for s in found}) == len(found)
    if not query.strip():
        assert len(found) == len(index)
