"""Learn the procedure ranker's weights (actions/procedures/ranker.json) from labelled questions.

The engine proposes a pool of candidates per question with their features
(ProcedureSearch.candidates); a linear score per candidate is learned by maximising the softmax
probability of the gold procedures within each pool (a listwise, conditional-logit model), with an
L2 penalty chosen by 5-fold cross-validation on the training questions.

Training questions: the team's dev set (bench/data/procedures_dev.yml) and the tuning set
(bench/data/eval/set_a.yml). The report-only sets (set_b, set_c) are never read here.

Usage: .venv/bin/python bench/train_ranker.py [--source ../shared/datasets/dvcqg/procedures.jsonl.gz]
Writes actions/procedures/ranker.json (a few numbers; no text of any question).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
import yaml
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from actions.procedures.dvcqg import import_records  # noqa: E402
from actions.procedures.search import FEATURES, RANKER_FILE, ProcedureSearch, Ranker  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "datasets" / "dvcqg" / "procedures.jsonl.gz"
TRAINING = [ROOT / "bench" / "data" / "procedures_dev.yml", ROOT / "bench" / "data" / "eval" / "set_a.yml"]
Pool = Tuple[np.ndarray, np.ndarray]  # features (k x F), gold mask (k)


def pools(engine: ProcedureSearch, questions: Sequence[dict]) -> List[Pool]:
    """Candidate features and gold mask per question whose pool holds a gold procedure."""
    result = []
    for item in questions:
        query = engine.analyse(item["text"])
        request = engine.request_part(item["text"])
        request_words = engine.analyse(request).words if request != item["text"] else None
        found = engine.candidates(query.words, query.unknown, request_words)
        if found is None:
            continue
        indices, features = found
        gold = np.asarray([engine.procedures[index].code in item["gold"] for index in indices])
        if gold.any():
            result.append((features, gold))
    return result


def loss(parameters: np.ndarray, data: List[Pool], penalty: float) -> Tuple[float, np.ndarray]:
    """Negative log-likelihood of the gold procedures (softmax per pool) plus L2, and its gradient."""
    weights = parameters
    total, gradient = 0.0, np.zeros_like(weights)
    for features, gold in data:
        scores = features @ weights
        scores = scores - scores.max()
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum()
        gold_mass = probabilities[gold].sum()
        total -= np.log(gold_mass + 1e-12)
        # d(-log sum_gold p)/dw = E_p[x] - E_{p | gold}[x]
        gold_share = np.where(gold, probabilities, 0.0) / (gold_mass + 1e-12)
        gradient += probabilities @ features - gold_share @ features
    total += penalty * float(weights @ weights)
    gradient += 2 * penalty * weights
    return total / len(data), gradient / len(data)


def fit(data: List[Pool], penalty: float) -> np.ndarray:
    start = np.zeros(len(FEATURES))
    result = minimize(loss, start, args=(data, penalty), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x


def top1(weights: np.ndarray, data: List[Pool]) -> float:
    return float(np.mean([gold[int(np.argmax(features @ weights))] for features, gold in data]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=RANKER_FILE)
    args = parser.parse_args()

    procedures = import_records(args.source).procedures
    engine = ProcedureSearch(procedures, ranker=Ranker({}))
    questions = [item for path in TRAINING for item in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]]
    data = pools(engine, questions)
    print(f"{len(questions)} questions, {len(data)} with a gold procedure among the candidates")

    rng = np.random.default_rng(7)
    folds = rng.integers(0, 5, len(data))
    best_penalty, best_accuracy = None, -1.0
    for penalty in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0):
        accuracies = []
        for fold in range(5):
            train = [pool for pool, k in zip(data, folds) if k != fold]
            test = [pool for pool, k in zip(data, folds) if k == fold]
            accuracies.append(top1(fit(train, penalty), test))
        accuracy = float(np.mean(accuracies))
        print(f"L2 {penalty:<7} cross-validated top-1 among candidates {accuracy:.3f}")
        if accuracy > best_accuracy:
            best_penalty, best_accuracy = penalty, accuracy
    weights = fit(data, best_penalty)
    print(f"chosen L2 {best_penalty}; training top-1 among candidates {top1(weights, data):.3f}")
    for name, weight in sorted(zip(FEATURES, weights), key=lambda pair: -abs(pair[1])):
        print(f"  {name:18} {weight:+.3f}")
    payload = {
        "about": "Weights of the procedure ranker, learned by bench/train_ranker.py on the dev and tuning sets.",
        "features": list(FEATURES),
        "penalty": best_penalty,
        "cross_validated_top1": round(best_accuracy, 3),
        "weights": {name: round(float(weight), 4) for name, weight in zip(FEATURES, weights)},
        "bias": 0.0,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"written {args.out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
