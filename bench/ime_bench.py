"""Pinyin keyboard and catalogue search start-up: why the IME ships a generated index. Run by hand:

    .venv/bin/python bench/ime_bench.py

Side by side, each in a fresh interpreter (so memory is that of the structure alone):
- building the candidate rows at start-up from jieba's dict.txt + pypinyin (what the shipped
  index avoids), vs loading the shipped `kiosk/ime/pinyin_index.tsv`;
- building the catalogue search index over the seed catalogue, next to importing pypinyin
  (which the search would otherwise need for readings).
The index's own memory, in a fresh interpreter: RSS growth and tracemalloc's peak and retained
bytes while constructing `PinyinIme()`, then again after building the terminal's vocabulary
(which fills the index's word readings, as the app does once the index is in).
Then the per-keystroke latency of `PinyinIme.lookup` on typical input, with the dictionary
alone and with the terminal's vocabulary (shipped service words + the seed catalogue's names),
which ranks 护士 before 忽视.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURE = r"""
import gc, json, sys, time
sys.path.insert(0, {root!r})
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
{imports}
gc.collect(); before = rss(); t = time.perf_counter()
{work}
elapsed = time.perf_counter() - t; gc.collect()
print(json.dumps({{"s": elapsed, "mb": (rss() - before) / 1e6}}))
"""

CASES = {
    "build rows at start-up (jieba + pypinyin)": (
        "from kiosk.ime import build_index as b",
        "f = b.read_frequencies(b.jieba_dict_path().open(encoding='utf-8'))\n"
        "rows = list(b.entries(f, b.DEFAULT_WORDS))"),
    "load shipped index (PinyinIme())": (
        "from kiosk.ime.pinyin import PinyinIme", "ime = PinyinIme()"),
    "catalogue search index (incl. loading the IME index)": (
        "from kiosk.refplatform.seed import load_services\nservices = load_services()",
        "from kiosk.search import CatalogueIndex\nidx = CatalogueIndex(services)"),
    "plain pypinyin: import + one call (not used at run time)": (
        "", "import pypinyin\npypinyin.lazy_pinyin('护士执业注册')"),
}


MEMORY = r"""
import gc, json, sys, time, tracemalloc
sys.path.insert(0, {root!r})
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096
def traced():
    return tracemalloc.get_traced_memory() if tracemalloc.is_tracing() else (0, 0)
if {app}:
    from kiosk.allocator import limit_retained_memory
    limit_retained_memory()
from kiosk.ime.pinyin import PinyinIme
from kiosk.ime.vocabulary import Vocabulary, catalogue_texts, service_words
from kiosk.refplatform.seed import load_services
texts = [*service_words(), *catalogue_texts(load_services())]
gc.collect(); before = rss()
if {trace}:
    tracemalloc.start()
ime = PinyinIme()
gc.collect(); built = traced(); built_rss = rss()
if {trace}:
    tracemalloc.reset_peak()
Vocabulary.from_texts(ime, texts)
gc.collect(); vocab = traced(); vocab_rss = rss()
print(json.dumps({{"rss": (built_rss - before) / 1e6, "kept": built[0] / 1e6,
                   "peak": built[1] / 1e6, "rss_v": (vocab_rss - before) / 1e6,
                   "kept_v": vocab[0] / 1e6, "peak_v": vocab[1] / 1e6}}))
"""


def run(imports: str, work: str) -> dict:
    code = MEASURE.format(root=str(ROOT), imports=imports, work=work)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'what':58s} {'time':>9s} {'memory':>10s}   (best of 3)")
    for name, (imports, work) in CASES.items():
        best = min((run(imports, work) for _ in range(3)), key=lambda r: r["s"])
        print(f"{name:58s} {best['s']:8.3f}s {best['mb']:8.1f}MB")

    m: dict[str, float] = {}  # RSS is measured without tracemalloc, which costs memory itself
    for trace, app, names in ((False, False, {"rss": "rss", "rss_v": "rss_v"}),
                              (False, True, {"rss": "app", "rss_v": "app_v"}),
                              (True, False, {k: k for k in ("kept", "peak", "kept_v", "peak_v")})):
        code = MEMORY.format(root=str(ROOT), trace=trace, app=app)
        runs = [json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                          text=True, check=True).stdout.strip().splitlines()[-1])
                for _ in range(3)]
        m.update({name: statistics.median(r[k] for r in runs) for k, name in names.items()})
    print(f"\nPinyinIme() memory, median of 3 fresh processes: RSS +{m['rss']:.1f} MB "
          f"(+{m['app']:.1f} MB with the app's allocator settings, kiosk/allocator.py), "
          f"tracemalloc kept {m['kept']:.1f} MB, peak {m['peak']:.1f} MB;\n"
          f"  with the vocabulary built (word readings filled): RSS +{m['rss_v']:.1f} MB "
          f"(+{m['app_v']:.1f} MB), kept {m['kept_v']:.1f} MB, "
          f"peak while building {m['peak_v']:.1f} MB")

    from kiosk.ime.pinyin import PinyinIme
    from kiosk.ime.vocabulary import Vocabulary, catalogue_texts, service_words
    from kiosk.refplatform.seed import load_services

    ime = PinyinIme()
    start = time.perf_counter()
    vocabulary = Vocabulary.from_texts(ime, [*service_words(), *catalogue_texts(load_services())])
    print(f"\nterminal vocabulary ({len(vocabulary.words)} words) built in "
          f"{(time.perf_counter() - start) * 1000:.0f} ms (first build includes the index's "
          "word readings)")
    typed = ["zhong", "beijing", "shenfenzheng", "nh", "beij", "nihaoshijie", "xian", "hszc",
             "zhangsanlisiwangwu", "hushi", "yiyuan", "jzzbl"]
    print("lookup() per call, median of 50: dictionary alone | with the vocabulary")
    for t in typed:
        row = []
        for vocab in (None, vocabulary):
            times = []
            for _ in range(50):
                start = time.perf_counter()
                ime.lookup(t, 20, vocab)
                times.append(time.perf_counter() - start)
            row.append(statistics.median(times) * 1000)
        words = [c.word for c in ime.lookup(t, 5, vocabulary)]
        print(f"  {t:22s} {row[0]:6.2f} ms | {row[1]:6.2f} ms  {words}")


if __name__ == "__main__":
    main()
