"""Measure the NLU: accuracy, macro-F1, confusions, diacritics gap, latency, training time.

Trains each pipeline on the same stratified split of data/nlu/ and evaluates on the held-out
part of that split and on bench/data/heldout_nlu.yml (written independently of the training
data). Compares the project pipeline (config.yml) with a baseline that swaps our tokenizer for
Rasa's WhitespaceTokenizer and keeps everything else.

    .venv/bin/python bench/nlu.py [--test-size 0.2] [--seed 42] [--pipelines ours,baseline]
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# No training cache: a cached run would report a training time of seconds.
os.environ["RASA_MAX_CACHE_SIZE"] = "0"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.model_training import train_nlu  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from bot.nlu.vietnamese_text import has_diacritics  # noqa: E402

HELDOUT = ROOT / "bench" / "data" / "heldout_nlu.yml"
RESULTS = ROOT / "bench" / "results"
BASELINE_TOKENIZER = "WhitespaceTokenizer"


def pipelines(config_path: Path) -> Dict[str, Dict[str, Any]]:
    """The project config and its WhitespaceTokenizer twin."""
    ours = yaml.safe_load(config_path.read_text("utf-8"))
    baseline = copy.deepcopy(ours)
    baseline["pipeline"][0] = {"name": BASELINE_TOKENIZER}
    return {"ours": ours, "baseline": baseline}


def split(data: TrainingData, test_size: float, seed: int) -> Tuple[TrainingData, List[Any]]:
    """Stratified split of the intent examples; lexicon, regexes and synonyms stay in training."""
    examples = data.intent_examples
    labels = [e.get("intent") for e in examples]
    train, test = train_test_split(
        examples, test_size=test_size, random_state=seed, stratify=labels
    )
    train_data = TrainingData(
        training_examples=train,
        entity_synonyms=data.entity_synonyms,
        regex_features=data.regex_features,
        lookup_tables=data.lookup_tables,
    )
    return train_data, test


def evaluate(agent: Agent, examples: List[Any]) -> Dict[str, Any]:
    """Parse every example; return metrics and latencies."""
    gold, predicted, latencies, accented, unaccented = [], [], [], [], []
    top_scored = []  # (best non-fallback intent, its confidence) to sweep the threshold

    async def parse_all() -> None:
        for example in examples:
            text = example.get("text")
            start = time.perf_counter()
            result = await agent.parse_message(text)
            latencies.append((time.perf_counter() - start) * 1000)
            name = (result.get("intent") or {}).get("name")
            ranked = [r for r in result.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
            top_scored.append((ranked[0]["name"], ranked[0]["confidence"]) if ranked else (None, 0.0))
            gold.append(example.get("intent"))
            predicted.append(name)
            (accented if has_diacritics(text) else unaccented).append(name == example.get("intent"))

    asyncio.run(parse_all())
    pairs = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    errors = [
        {"text": e.get("text"), "gold": g, "predicted": p}
        for e, g, p in zip(examples, gold, predicted)
        if g != p
    ]
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "n": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted)) / len(gold),
        "macro_f1": f1_score(gold, predicted, average="macro", zero_division=0),
        "accuracy_with_diacritics": sum(accented) / max(len(accented), 1),
        "n_with_diacritics": len(accented),
        "accuracy_without_diacritics": sum(unaccented) / max(len(unaccented), 1),
        "n_without_diacritics": len(unaccented),
        "fallback_rate": predicted.count("nlu_fallback") / len(predicted),
        "confusions": [f"{g} -> {p}: {n}" for (g, p), n in pairs.most_common(8)],
        "accuracy_without_fallback": sum(g == t for g, (t, _) in zip(gold, top_scored)) / len(gold),
        "threshold_sweep": {
            str(threshold): {
                "accuracy": sum(g == t and c >= threshold for g, (t, c) in zip(gold, top_scored)) / len(gold),
                "fallback_rate": sum(c < threshold for _, c in top_scored) / len(gold),
                "confidently_wrong": sum(g != t and c >= threshold for g, (t, c) in zip(gold, top_scored)) / len(gold),
            }
            for threshold in (0.3, 0.4, 0.5, 0.6, 0.7)
        },
        "errors": errors,
        "latency_ms_p50": quantiles[49],
        "latency_ms_p95": quantiles[94],
    }


def run_pipeline(name: str, config: Dict[str, Any], train_data: TrainingData,
                 test_sets: Dict[str, List[Any]], workdir: Path) -> Dict[str, Any]:
    """Train one pipeline on the split and evaluate it on every test set."""
    config_file = workdir / f"config_{name}.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    data_file = workdir / "train_nlu.yml"
    data_file.write_text(train_data.nlu_as_yaml(), "utf-8")
    start = time.perf_counter()
    result = train_nlu(str(config_file), str(data_file), str(workdir / name), fixed_model_name=name)
    train_seconds = time.perf_counter() - start
    agent = Agent.load(str(result))
    report = {"train_seconds": train_seconds}
    for set_name, examples in test_sets.items():
        report[set_name] = evaluate(agent, examples)
    return report


def print_report(reports: Dict[str, Dict[str, Any]]) -> None:
    """Human-readable summary."""
    for name, report in reports.items():
        print(f"\n== {name}  (training {report['train_seconds']:.0f} s)")
        for set_name, metrics in report.items():
            if not isinstance(metrics, dict):
                continue
            print(
                f"  {set_name:<9} n={metrics['n']:<4} acc={metrics['accuracy']:.3f} "
                f"macroF1={metrics['macro_f1']:.3f} "
                f"acc(dấu)={metrics['accuracy_with_diacritics']:.3f}/{metrics['n_with_diacritics']} "
                f"acc(không dấu)={metrics['accuracy_without_diacritics']:.3f}/"
                f"{metrics['n_without_diacritics']} fallback={metrics['fallback_rate']:.3f} "
                f"p50={metrics['latency_ms_p50']:.1f}ms p95={metrics['latency_ms_p95']:.1f}ms"
            )
            print(f"      top intent ignoring fallback: {metrics['accuracy_without_fallback']:.3f}")
            for threshold, sweep in metrics["threshold_sweep"].items():
                print(f"      threshold {threshold}: acc={sweep['accuracy']:.3f} "
                      f"fallback={sweep['fallback_rate']:.3f} wrong={sweep['confidently_wrong']:.3f}")
            for confusion in metrics["confusions"]:
                print(f"      {confusion}")


def main() -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--data", default=str(ROOT / "data" / "nlu"))
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--pipelines", default="ours,baseline")
    args = parser.parse_args()

    data = load_data(args.data)
    train_data, split_test = split(data, args.test_size, args.seed)
    test_sets = {"split": split_test}
    if HELDOUT.exists():
        test_sets["heldout"] = load_data(str(HELDOUT)).intent_examples
    print(f"train={len(train_data.intent_examples)} "
          + " ".join(f"{k}={len(v)}" for k, v in test_sets.items()))

    all_pipelines = pipelines(Path(args.config))
    reports = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.pipelines.split(","):
            reports[name] = run_pipeline(name, all_pipelines[name], train_data, test_sets, Path(tmp))
    print_report(reports)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "nlu.json"
    out.write_text(json.dumps(reports, ensure_ascii=False, indent=2), "utf-8")
    print(f"\nSaved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
