"""How much one huge message delays everyone else, and whether the per-code limit holds under a burst.

Starts the stack on free 127.0.0.1 ports (the tests' Stack: Rasa with the API behind a token, two
action-server replicas sharing the assistant database), then:
  1. a bystander's "xin chào" answered 30 times alone (baseline), then 30 times while another
     sender posts 100 kB and 1 MB messages over REST back to back: the bystander's delay;
  2. 50 concurrent digit guesses on one dossier code across the two replicas: how many were
     compared (the limit is 5).
Usage: .venv/bin/python bench/security.py [--model models/X.tar.gz] [--rounds 30]
Everything targets loopback and stops by itself.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.security.test_attacks import action_call, domain_dict, post_json  # noqa: E402
from tests.test_server import Stack, free_port  # noqa: E402

CODE = "000.00.20.H37-260115-9001"


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(int(round(share * (len(ordered) - 1))), len(ordered) - 1)]


def bystander_latencies(stack: Stack, rounds: int):
    timings = []
    for i in range(rounds):
        start = time.perf_counter()
        stack.say(f"bystander-{i % 3}", "xin chào")
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    model = Path(args.model) if args.model else max((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    workdir = Path(tempfile.mkdtemp(prefix="bench-security-"))
    stack = Stack(model, workdir)
    replica_port = free_port()
    replica = None
    try:
        stack.start_actions()
        replica = stack.action_server(replica_port, "actions-replica.log")
        stack.start_rasa()
        bystander_latencies(stack, 5)  # warm-up
        alone = bystander_latencies(stack, args.rounds)

        stop = threading.Event()
        floods = {"sent": 0, "ms": []}

        def flood():
            while not stop.is_set():
                for size in (100_000, 1_000_000):
                    start = time.perf_counter()
                    post_json(f"{stack.url}/webhooks/rest/webhook", {"sender": "flooder", "message": "a" * size})
                    floods["ms"].append((time.perf_counter() - start) * 1000)
                    floods["sent"] += 1

        flooder = threading.Thread(target=flood, daemon=True)
        flooder.start()
        flooded = bystander_latencies(stack, args.rounds)
        stop.set()
        flooder.join(timeout=30)

        print("Bystander 'xin chào' over REST (ms):")
        print(f"  alone:               p50 {statistics.median(alone):.1f}  p95 {percentile(alone, 0.95):.1f}")
        print(f"  during 100 kB/1 MB:  p50 {statistics.median(flooded):.1f}  p95 {percentile(flooded, 0.95):.1f}"
              f"  ({floods['sent']} long messages sent, each refused in p50 {statistics.median(floods['ms']):.1f} ms)")
        print(f"  delay added:         p50 {statistics.median(flooded) - statistics.median(alone):+.1f}"
              f"  p95 {percentile(flooded, 0.95) - percentile(alone, 0.95):+.1f}")

        token = stack.env["ACTION_SERVER_TOKEN"]
        urls = [f"http://127.0.0.1:{stack.actions_port}", f"http://127.0.0.1:{replica_port}"]
        domain_dict()

        def guess(i: int) -> bool:
            digits = f"{9000 + i}"
            events = [{"event": "user", "text": digits, "parse_data": {"text": digits}},
                      {"event": "slot", "name": "dossier_phone", "value": digits}]
            call = action_call("validate_dossier_form", f"burst-{i}",
                               {"dossier_code": CODE, "requested_slot": "dossier_phone", "dossier_phone": digits},
                               digits, events)
            _, text = post_json(f"{urls[i % 2]}/webhook?token={token}", call)
            return "chưa khớp" in json.dumps(json.loads(text), ensure_ascii=False)

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=50) as pool:
            compared = sum(pool.map(guess, range(50)))
        print(f"50 concurrent guesses on one code across 2 replicas: {compared} compared (limit 5), "
              f"{50 - compared} blocked, in {(time.perf_counter() - start) * 1000:.0f} ms")
    finally:
        if replica and replica.poll() is None:
            replica.terminate()
        stack.stop()


if __name__ == "__main__":
    main()
