"""The evaluation sets through the running assistant: what a citizen asking each question gets.

Imports the national records (../shared) as the catalogue, starts the whole stack
(scripts/run.sh, as `make run` does) on free ports on 127.0.0.1 with its own databases, sends
every question of each set from a new conversation over the REST channel, reads the outcome from
the conversation (Rasa's HTTP API with the token) and classifies it:

  answered_right   a procedure was answered and it is one of the gold codes
  among_choices    the assistant asked which procedure, and a gold one was among the buttons
                   (`among_3` when there were at most 3 choices)
  choices_wrong    it asked, without a gold one among the choices
  answered_wrong   a procedure was answered and it is not a gold one
  not_found        "Mình chưa tìm thấy thủ tục…"
  routed_away      anything else: fallback, out of scope, dossier form, small talk (kind given)

Usage: .venv/bin/python bench/conversation.py [--sets bench/data/eval/set_b.yml ...] [--limit N]
Prints rates per set and style, reply latency, and writes bench/results/conversation.json.
Only the tuning set's (set_a) misses are written out with their texts.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "datasets" / "dvcqg" / "procedures.jsonl.gz"
DEFAULT_SETS = sorted((ROOT / "bench" / "data" / "eval").glob("set_*.yml"))
TUNING_SET = "set_a"
CODE_IN_PAYLOAD = re.compile(r'"procedure_code"\s*:\s*"([^"]+)"')
NOT_FOUND = "Mình chưa tìm thấy thủ tục"
OUTCOMES = ["answered_right", "among_choices", "choices_wrong", "answered_wrong", "not_found", "routed_away"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: Optional[Dict] = None, timeout: float = 60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def wait_for(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the stack stopped while starting; see var/log/")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(1)
    raise TimeoutError(url)


def outcome(replies: List[Dict], tracker: Dict, gold: List[str]) -> Dict:
    """What the citizen got for one question."""
    answered = (tracker.get("slots") or {}).get("procedure_code")
    offered = [code for reply in replies for button in reply.get("buttons") or []
               for code in CODE_IN_PAYLOAD.findall(button.get("payload", ""))]
    text = " ".join(reply.get("text") or "" for reply in replies)
    actions = [event.get("name") for event in tracker.get("events") or [] if event.get("event") == "action"]
    actions = [name for name in actions if name not in ("action_session_start", "action_listen")]
    intent = ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
    result = {"intent": intent, "actions": actions, "answered": answered, "offered": offered}
    if answered:
        result["outcome"] = "answered_right" if answered in gold else "answered_wrong"
    elif offered:
        right = bool(set(offered) & set(gold))
        result["outcome"] = "among_choices" if right else "choices_wrong"
        result["among_3"] = right and len(offered) <= 3
    elif NOT_FOUND in text:
        result["outcome"] = "not_found"
    else:
        result["outcome"] = "routed_away"
        active = tracker.get("active_loop") or {}
        if active.get("name"):
            result["away"] = active["name"]
        elif intent in ("nlu_fallback",) or any("fallback" in (name or "") for name in actions):
            result["away"] = "fallback"
        else:
            result["away"] = next((name for name in actions), intent or "nothing")
    return result


def rates(results: List[Dict]) -> Dict[str, float]:
    n = len(results) or 1
    counts = Counter(r["outcome"] for r in results)
    out = {name: round(counts[name] / n, 3) for name in OUTCOMES}
    named = counts["answered_right"] + sum(1 for r in results if r.get("among_3"))
    out["named_directly_or_among_3"] = round(named / n, 3)
    out["n"] = len(results)
    return out


@contextmanager
def running_stack(prefix: str) -> Iterator[Tuple[str, str]]:
    """The whole stack as `make run` starts it, on free loopback ports with its own databases and
    the national records as catalogue; yields (Rasa's URL, its HTTP API token), stops it after."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    catalogue = work / "dvcqg.jsonl"
    subprocess.run([sys.executable, "-m", "actions.procedures", "import-dvcqg", str(SOURCE), "--out", str(catalogue)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    token = secrets.token_hex(16)
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    env = dict(os.environ, **{k: str(v) for k, v in ports.items()},
               PROCEDURES_PATH=str(catalogue), RASA_AUTH_TOKEN=token,
               TRACKER_STORE_URL=f"sqlite:///{work / 'tracker.db'}", ASSISTANT_DB_URL=f"sqlite:///{work / 'assistant.db'}",
               ONESTOP_DB_URL=f"sqlite:///{work / 'onestop.db'}")
    env.pop("ONESTOP_API_URL", None)
    subprocess.run([sys.executable, "-m", "actions.onestop", "seed-demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    stack = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    rasa = f"http://127.0.0.1:{ports['RASA_PORT']}"
    try:
        wait_for(f"{rasa}/webhooks/rest/", stack)
        wait_for(f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health", stack)
        http("POST", f"{rasa}/webhooks/rest/webhook", {"sender": "bench-warm-up", "message": "thủ tục đăng ký khai sinh"})
        yield rasa, token
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--limit", type=int, default=0, help="first N questions of each set (0 = all)")
    args = parser.parse_args()

    report: Dict[str, Dict] = {}
    with running_stack("bench-conversation-") as (rasa, token):
        for path in args.sets:
            items = yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]
            if args.limit:
                items = items[: args.limit]
            results, timings = [], []
            for index, item in enumerate(items):
                sender = f"bench-{path.stem}-{index}-{secrets.token_hex(3)}"
                start = time.perf_counter()
                replies = http("POST", f"{rasa}/webhooks/rest/webhook", {"sender": sender, "message": item["text"]})
                timings.append((time.perf_counter() - start) * 1000)
                tracker = http("GET", f"{rasa}/conversations/{sender}/tracker?token={token}")
                result = outcome(replies, tracker, item["gold"])
                result["tags"] = item.get("tags") or []
                if path.stem == TUNING_SET:
                    result["text"], result["gold"] = item["text"], item["gold"]
                results.append(result)
            timings.sort()
            by_style = {"all": rates(results)}
            for tag in sorted({t for r in results for t in r["tags"]}):
                by_style[tag] = rates([r for r in results if tag in r["tags"]])
            report[path.stem] = {
                "rates": by_style,
                "routed_away": dict(Counter(r["away"] for r in results if r["outcome"] == "routed_away")),
                "latency_ms": {"p50": round(statistics.median(timings)), "p95": round(timings[int(0.95 * (len(timings) - 1))])},
                "results": results if path.stem == TUNING_SET else None,
            }

    header = ["answered_right", "named_directly_or_among_3", "answered_wrong", "not_found", "routed_away"]
    print(f"{'set / style':28} {'n':>4} " + " ".join(f"{h[:14]:>14}" for h in header))
    for name, data in report.items():
        for style, row in data["rates"].items():
            label = name if style == "all" else f"  {style}"
            print(f"{label:28} {row['n']:>4} " + " ".join(f"{row[h]:>14.3f}" for h in header))
        print(f"  routed away: {data['routed_away']}; reply p50 {data['latency_ms']['p50']} ms, p95 {data['latency_ms']['p95']} ms")
    out = ROOT / "bench" / "results" / "conversation.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
