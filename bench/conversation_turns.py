"""Multi-turn conversations through the running assistant: does it keep the thread?

Starts the whole stack as bench/conversation.py does (national records imported, demo dossiers
seeded, free ports on 127.0.0.1), plays each conversation of bench/data/eval/conversations/
turn by turn over the REST channel, reads each turn's events from Rasa's HTTP API and reports:

  right procedure per turn   the turn answered a procedure and it is one of the turn's gold codes
  follow-up kept             the same, over follow-up turns only
  wrong-record answers       answers about a procedure not in the turn's gold, over all answers
  fee contradictions         fee answers showing "Miễn phí" next to an amount
  two-part answered in full  two-part turns answered right with both parts in the reply
  dossier "what now"         after a status, answered from that dossier's status
  edges                      questions outside the procedures that got no procedure answer

Usage: .venv/bin/python bench/conversation_turns.py [--sets FILE ...] [--limit N]
Only the tuning set's (conv_a) misses are printed with their texts.
"""
from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from pathlib import Path
from typing import Dict, List

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conversation import ROOT, http, running_stack  # noqa: E402

DEFAULT_SETS = sorted((ROOT / "bench" / "data" / "eval" / "conversations").glob("conv_*.yml"))
TUNING_SET = "conv_a"
ANSWER_START = "Thủ tục “"
AMOUNT = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
# What shows that a part of the question was answered (its heading, or the missing-fact sentence).
PART_MARKERS = {
    "documents": ["Hồ sơ gồm", "Hồ sơ (", "giấy tờ cần nộp"],
    "fee": ["Phí, lệ phí", "lệ phí"],
    "time": ["Thời gian giải quyết", "thời gian giải quyết"],
    "agency": ["Cơ quan thực hiện", "cơ quan thực hiện"],
    "steps": ["Các bước thực hiện", "các bước thực hiện"],
    "conditions": ["Yêu cầu, điều kiện", "yêu cầu, điều kiện"],
    "result": ["Kết quả bạn nhận được", "kết quả giải quyết"],
    "online": ["nộp trực tuyến", "cách thức nộp"],
    "legal_basis": ["Căn cứ pháp lý", "căn cứ pháp lý"],
    "forms": ["mẫu đơn", "Mẫu", "mẫu:"],
    "overview": ["Lĩnh vực:"],
}
NEXT_STEP = "Hồ sơ của bạn"


def turn_events(tracker: Dict) -> List[Dict]:
    events = tracker.get("events") or []
    last_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=-1)
    return events[last_user + 1 :]


def judge(turn: Dict, replies: List[Dict], tracker: Dict) -> Dict:
    events = turn_events(tracker)
    text = "\n".join(reply.get("text") or "" for reply in replies)
    answered = None
    if any((reply.get("text") or "").startswith(ANSWER_START) for reply in replies):
        sets = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "procedure_code"]
        answered = next((value for value in reversed(sets) if value), None)
    offered = [code for reply in replies for button in reply.get("buttons") or []
               for code in re.findall(r'"procedure_code"\s*:\s*"([^"]+)"', button.get("payload", ""))]
    gold = turn.get("gold") or []
    result = {"kind": turn.get("kind"), "answered": answered, "offered": offered[:5]}
    result["right"] = bool(answered and answered in gold)
    result["wrong"] = bool(answered and answered not in gold)
    result["among_choices"] = bool(not answered and set(offered) & set(gold))
    attributes = turn.get("attributes") or [turn.get("attribute")]
    if turn.get("kind") == "two_part":
        result["both_parts"] = result["right"] and all(
            any(marker in text for marker in PART_MARKERS.get(attribute, [])) for attribute in attributes)
    if "fee" in attributes and answered:
        result["fee_contradiction"] = any("Miễn phí" in line and AMOUNT.search(line.split("Miễn phí", 1)[1].split("(Đã hết hạn")[0])
                                          for line in text.splitlines() if not line.startswith("Nguồn"))
    if turn.get("kind") == "dossier_what_now":
        result["from_status"] = NEXT_STEP in text and not result["wrong"]
    if turn.get("kind") == "edge":
        result["pointer"] = answered is None
    return result


def rate(items: List[bool]) -> float:
    return round(sum(items) / len(items), 3) if items else float("nan")


def summarise(results: List[Dict]) -> Dict[str, float]:
    procedure_turns = [r for r in results if r["gold"] and r["kind"] not in ("dossier", "dossier_what_now", "edge")]
    follow = [r for r in procedure_turns if r["kind"] == "follow_up" or r.get("follow_up")]
    answers = [r for r in results if r["answered"]]
    # A follow-up can only keep a procedure the conversation had: those right after a right turn.
    after_right = [r for previous, r in zip(results, results[1:])
                   if r in follow and previous["id"] == r["id"] and previous["right"] and set(previous["gold"]) & set(r["gold"])]
    return {
        "turns": len(results),
        "procedure_turns": len(procedure_turns),
        "right_per_turn": rate([r["right"] for r in procedure_turns]),
        "right_or_among_choices": rate([r["right"] or r["among_choices"] for r in procedure_turns]),
        "follow_up_kept": rate([r["right"] for r in follow]),
        "follow_ups": len(follow),
        "follow_up_kept_after_right_turn": rate([r["right"] for r in after_right]),
        "follow_ups_after_right_turn": len(after_right),
        "wrong_record_share_of_answers": rate([r["wrong"] for r in answers]),
        "answers": len(answers),
        "fee_answers_with_contradiction": sum(bool(r.get("fee_contradiction")) for r in results),
        "two_part_in_full": rate([r["both_parts"] for r in results if "both_parts" in r]),
        "dossier_what_now_from_status": rate([r["from_status"] for r in results if "from_status" in r]),
        "edges_pointer_not_procedure": rate([r["pointer"] for r in results if "pointer" in r]),
        **{f"kind_{kind}": rate([r["right"] for r in procedure_turns if r["kind"] == kind])
           for kind in ("first", "follow_up", "choice_typed", "switch", "back", "two_part")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, nargs="*", default=DEFAULT_SETS)
    parser.add_argument("--limit", type=int, default=0, help="first N conversations of each set (0 = all)")
    args = parser.parse_args()

    report: Dict[str, Dict] = {}
    with running_stack("bench-turns-") as (rasa, token):
        for path in args.sets:
            conversations = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
            if args.limit:
                conversations = conversations[: args.limit]
            results = []
            for conversation in conversations:
                sender = f"bench-{path.stem}-{conversation['id']}-{secrets.token_hex(3)}"
                for turn in conversation["turns"]:
                    replies = http("POST", f"{rasa}/webhooks/rest/webhook", {"sender": sender, "message": turn["text"]})
                    tracker = http("GET", f"{rasa}/conversations/{sender}/tracker?token={token}")
                    result = judge(turn, replies, tracker)
                    result.update(gold=turn.get("gold") or [], follow_up=bool(turn.get("follow_up")), id=conversation["id"])
                    if path.stem == TUNING_SET:
                        result["text"] = turn["text"]
                        result["reply"] = " | ".join((reply.get("text") or "")[:120] for reply in replies)
                    results.append(result)
            report[path.stem] = {"summary": summarise(results),
                                 "results": results if path.stem == TUNING_SET else None}

    for name, data in report.items():
        print(f"== {name}")
        for key, value in data["summary"].items():
            print(f"  {key:34} {value}")
    out = ROOT / "bench" / "results" / "conversation_turns.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
