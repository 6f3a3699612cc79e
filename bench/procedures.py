"""Procedure search benchmark: accuracy on the dev set, latency at 2,642 and 20,000 records.

Usage: .venv/bin/python bench/procedures.py [--source ../shared/datasets/dvcqg/procedures.jsonl.gz]
       [--dev bench/data/procedures_dev.yml] [--errors] [--scale 20000] [--sets bench/data/eval/set_*.yml]

--sets: the independent evaluation sets (bench/data/eval/README.md), top-1/top-3 per set and style;
--errors prints errors of the dev set and of the tuning set (set_a) only, never of the others.
Prints a report and writes bench/results/procedures.json (ignored by git).
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bm25s  # noqa: E402
import yaml  # noqa: E402

from actions.procedures.dvcqg import import_records  # noqa: E402
from actions.procedures.schema import Procedure  # noqa: E402
from actions.procedures.search import ProcedureSearch  # noqa: E402
from bot.nlu.vietnamese_text import has_diacritics  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "datasets" / "dvcqg" / "procedures.jsonl.gz"
DEFAULT_DEV = ROOT / "bench" / "data" / "procedures_dev.yml"
DEFAULT_SETS = sorted((ROOT / "bench" / "data" / "eval").glob("set_*.yml"))
TUNING_SET = "set_a"


class PlainBM25:
    """Baseline: BM25 over lower-cased official names split on whitespace, nothing else."""

    def __init__(self, procedures: Sequence[Procedure]) -> None:
        self.codes = [procedure.code for procedure in procedures]
        self.model = bm25s.BM25()
        self.model.index([procedure.name.lower().split() for procedure in procedures], show_progress=False)
        self.vocab = self.model.vocab_dict

    def search(self, text: str, top: int = 3) -> List[str]:
        tokens = [token for token in text.lower().split() if token in self.vocab]
        if not tokens:
            return []
        scores = self.model.get_scores(tokens)
        order = scores.argsort()[::-1][:top]
        return [self.codes[index] for index in order if scores[index] > 0]


def styles(item: Dict) -> List[str]:
    """The groups a query counts in."""
    tags = list(item.get("tags") or [])
    groups = ["all", "accented" if has_diacritics(item["text"]) else "unaccented"]
    groups += [f"tag:{tag}" for tag in tags if tag != "unaccented"]
    if {"typo", "abbreviation"} & set(tags):
        groups.append("typo_or_abbreviation")
    return groups


def evaluate(search, queries: List[Dict]) -> Dict[str, Dict[str, float]]:
    """top-1 / top-3 accuracy per style group; `search(text) -> [codes]`."""
    totals: Dict[str, List[int]] = {}
    errors = []
    for item in queries:
        codes = search(item["text"])
        gold = set(item["gold"])
        top1 = int(bool(codes[:1]) and codes[0] in gold)
        top3 = int(bool(gold & set(codes[:3])))
        for group in styles(item):
            counts = totals.setdefault(group, [0, 0, 0])
            counts[0] += 1
            counts[1] += top1
            counts[2] += top3
        if not top1:
            errors.append({"text": item["text"], "gold": item["gold"], "got": codes[:3]})
    report = {group: {"n": n, "top1": round(a / n, 3), "top3": round(b / n, 3)} for group, (n, a, b) in totals.items()}
    return {"groups": report, "errors": errors}


def dialogue_policy(engine: ProcedureSearch, queries: List[Dict]) -> Dict[str, float]:
    """What the assistant would do with each query: answer (right/wrong), ask with buttons, or say
    nothing fits, using the thresholds of actions/procedure_actions.py."""
    from actions.procedures.service import decide

    counts = {"answer_right": 0, "answer_wrong": 0, "ask": 0, "ask_with_gold": 0, "nothing": 0}
    for item in queries:
        close = decide(engine.search(item["text"], top=5))
        if not close:
            counts["nothing"] += 1
            continue
        if len(close) > 1:
            counts["ask"] += 1
            counts["ask_with_gold"] += bool({hit.code for hit in close} & set(item["gold"]))
        elif close[0].code in item["gold"]:
            counts["answer_right"] += 1
        else:
            counts["answer_wrong"] += 1
    total = len(queries) or 1
    return {key: round(value / total, 3) for key, value in counts.items()}


def scaled(procedures: List[Procedure], size: int, seed: int = 7) -> List[Procedure]:
    """Synthetic catalogue of `size` records: real ones plus recombined names (benchmark only)."""
    rng = random.Random(seed)
    result = list(procedures)
    names = [procedure.name.split() for procedure in procedures]
    while len(result) < size:
        base = rng.choice(procedures)
        first, second = rng.choice(names), rng.choice(names)
        name = " ".join(first[: max(2, len(first) // 2)] + second[len(second) // 2 :])
        code = f"9.{len(result):06d}"
        result.append(base.copy(update={"code": code, "name": name, "popularity": None}))
    return result


def latency(engine: ProcedureSearch, queries: List[str], rounds: int = 3) -> Dict[str, float]:
    """Per-query search time in ms (p50, p95, max) over several rounds."""
    timings = []
    for _ in range(rounds):
        for text in queries:
            start = time.perf_counter()
            engine.search(text, top=3)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }


def build(procedures: List[Procedure]) -> Dict:
    """Index build time and the memory it allocates."""
    gc.collect()
    start = time.perf_counter()
    engine = ProcedureSearch(procedures)
    seconds = time.perf_counter() - start
    del engine
    gc.collect()
    # Memory is measured on a second build: tracemalloc slows Python down several times.
    tracemalloc.start()
    engine = ProcedureSearch(procedures)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"engine": engine, "build_s": round(seconds, 3), "memory_mb": round(current / 2**20, 1), "peak_mb": round(peak / 2**20, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--scale", type=int, default=20000)
    parser.add_argument("--errors", action="store_true", help="print every top-1 error (dev and tuning sets)")
    parser.add_argument("--sets", type=Path, nargs="*", default=DEFAULT_SETS, help="independent evaluation sets")
    args = parser.parse_args()

    start = time.perf_counter()
    report = import_records(args.source)
    procedures = report.procedures
    import_s = time.perf_counter() - start
    queries = yaml.safe_load(args.dev.read_text(encoding="utf-8"))["queries"]
    print(f"catalogue: {len(procedures)} records imported in {import_s:.1f} s; dev queries: {len(queries)}")

    built = build(procedures)
    engine = built["engine"]
    ours = evaluate(lambda text: [hit.code for hit in engine.search(text, top=3)], queries)
    baseline_engine = PlainBM25(procedures)
    baseline = evaluate(baseline_engine.search, queries)

    print(f"\n{'group':24} {'n':>4}  {'ours top1':>9} {'top3':>6}   {'BM25 names top1':>15} {'top3':>6}")
    for group in sorted(ours["groups"], key=lambda name: (name != "all", name)):
        mine, theirs = ours["groups"][group], baseline["groups"].get(group, {})
        print(
            f"{group:24} {mine['n']:>4}  {mine['top1']:>9.3f} {mine['top3']:>6.3f}   "
            f"{theirs.get('top1', 0):>15.3f} {theirs.get('top3', 0):>6.3f}"
        )
    gap = ours["groups"]["accented"]["top1"] - ours["groups"].get("unaccented", {"top1": 0})["top1"]
    print(f"accented - unaccented top-1 gap: {gap * 100:.1f} points")

    policy = dialogue_policy(engine, queries)
    print(
        f"in conversation: answers right {policy['answer_right']:.3f}, answers wrong {policy['answer_wrong']:.3f}, "
        f"asks with buttons {policy['ask']:.3f} (right one among them {policy['ask_with_gold']:.3f}), "
        f"says nothing fits {policy['nothing']:.3f}"
    )

    per_set = {}
    for path in args.sets:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
        result = evaluate(lambda text: [hit.code for hit in engine.search(text, top=3)], items)
        result["dialogue_policy"] = dialogue_policy(engine, items)
        per_set[path.stem] = result
    if per_set:
        names = list(per_set)
        groups = sorted({g for r in per_set.values() for g in r["groups"]}, key=lambda name: (name != "all", name))
        print(f"\nindependent sets (top-1 / top-3; {TUNING_SET} is the tuning set):")
        print(f"{'group':24} " + " ".join(f"{name:>17}" for name in names))
        for group in groups:
            cells = []
            for name in names:
                cell = per_set[name]["groups"].get(group)
                cells.append(f"{cell['top1']:.3f}/{cell['top3']:.3f} ({cell['n']:>3})" if cell else " " * 17)
            print(f"{group:24} " + " ".join(f"{c:>17}" for c in cells))
        for name in names:
            policy_set = per_set[name]["dialogue_policy"]
            print(f"{name} in conversation (search only): answers right {policy_set['answer_right']:.3f}, wrong "
                  f"{policy_set['answer_wrong']:.3f}, asks {policy_set['ask']:.3f} (right among {policy_set['ask_with_gold']:.3f}), "
                  f"nothing {policy_set['nothing']:.3f}")

    texts = [item["text"] for item in queries]
    small = latency(engine, texts)
    print(f"\nbuild {len(procedures)}: {built['build_s']} s, {built['memory_mb']} MB held (peak {built['peak_mb']} MB)")
    print(f"search at {len(procedures)}: p50 {small['p50_ms']} ms, p95 {small['p95_ms']} ms, max {small['max_ms']} ms")
    large_procedures = scaled(procedures, args.scale)
    large_built = build(large_procedures)
    large = latency(large_built["engine"], texts)
    print(f"build {len(large_procedures)}: {large_built['build_s']} s, {large_built['memory_mb']} MB held (peak {large_built['peak_mb']} MB)")
    print(f"search at {len(large_procedures)}: p50 {large['p50_ms']} ms, p95 {large['p95_ms']} ms, max {large['max_ms']} ms")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    if args.errors:
        print("\ntop-1 errors:")
        for error in ours["errors"]:
            print(f"  {error['text']!r}: gold {error['gold']} got {error['got']}")
        if TUNING_SET in per_set:
            print(f"\ntop-1 errors of the tuning set {TUNING_SET}:")
            for error in per_set[TUNING_SET]["errors"]:
                print(f"  {error['text']!r}: gold {error['gold']} got {error['got']}")

    results = {
        "records": len(procedures),
        "dev_queries": len(queries),
        "ours": ours,
        "baseline_bm25_names": baseline,
        "dialogue_policy": policy,
        "independent_sets": {name: {k: v for k, v in r.items() if k != "errors" or name == TUNING_SET} for name, r in per_set.items()},
        "build": {k: v for k, v in built.items() if k != "engine"},
        "latency": small,
        "scaled": {"records": len(large_procedures), **{k: v for k, v in large_built.items() if k != "engine"}, **large},
    }
    out = ROOT / "bench" / "results" / "procedures.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
