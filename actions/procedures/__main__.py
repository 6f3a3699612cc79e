"""Command line: `python -m actions.procedures import-dvcqg SRC --out DEST` and `search "…" --json`."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import List, Optional

from actions.procedures.catalogue import CatalogueError, catalogue_path, load, save
from actions.procedures.dvcqg import field_coverage, import_records
from actions.procedures.search import ProcedureSearch


def _import(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.is_file():
        print(f"Lỗi: không tìm thấy tệp nguồn {source}", file=sys.stderr)
        return 2
    try:
        report = import_records(source, checked=args.checked, popularity_path=args.popularity)
    except CatalogueError as error:
        print(f"Lỗi: không đọc được nguồn: {error}", file=sys.stderr)
        return 2
    for location, reason in report.skipped:
        print(f"skipped {location}: {reason}", file=sys.stderr)
    if not report.procedures:
        print(f"Lỗi: {source} không có thủ tục hợp lệ nào", file=sys.stderr)
        return 1
    dest = save(report.procedures, args.out)
    print(f"imported {len(report.procedures)} procedures, skipped {len(report.skipped)} -> {dest}")
    if args.coverage:
        print(json.dumps(field_coverage(report.procedures), ensure_ascii=False, indent=1))
    return 0


def _print_hits(engine: ProcedureSearch, query: str, top: int) -> None:
    hits = engine.search(query, top=top)
    print(json.dumps([{"code": hit.code, "name": hit.name, "score": hit.score} for hit in hits], ensure_ascii=False))


def _search(args: argparse.Namespace) -> int:
    try:
        catalogue = load(args.catalogue) if args.catalogue else load(catalogue_path())
    except CatalogueError as error:
        print(f"Lỗi danh mục: {error}", file=sys.stderr)
        return 2
    engine = ProcedureSearch.from_catalogue(catalogue)
    top = max(1, args.top)
    if args.batch:
        for line in sys.stdin:
            _print_hits(engine, line.rstrip("\n"), top)
            sys.stdout.flush()
        return 0
    if args.query is None:
        print("Lỗi: hãy nhập câu hỏi, hoặc dùng --batch để đọc từ stdin", file=sys.stderr)
        return 2
    if args.json:
        _print_hits(engine, args.query, top)
    else:
        for hit in engine.search(args.query, top=top):
            print(f"{hit.score:.3f}  {hit.code}  {hit.name}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m actions.procedures", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import-dvcqg", help="convert national portal records to the catalogue format")
    importer.add_argument("source", help=".jsonl or .jsonl.gz of national records")
    importer.add_argument("--out", required=True, help="catalogue file (.jsonl, .jsonl.gz, .json, .yml) or folder")
    importer.add_argument("--popularity", type=Path, default=None, help="popularity.json (default: next to SRC)")
    importer.add_argument("--checked", type=dt.date.fromisoformat, default=None, help="check date (default: today)")
    importer.add_argument("--coverage", action="store_true", help="print how often each field was parsed")
    importer.set_defaults(run=_import)
    searcher = commands.add_parser("search", help="find procedures for a question")
    searcher.add_argument("query", nargs="?")
    searcher.add_argument("--catalogue", default=None, help="catalogue file or folder (default: PROCEDURES_PATH)")
    searcher.add_argument("--top", type=int, default=5)
    searcher.add_argument("--json", action="store_true")
    searcher.add_argument("--batch", action="store_true", help="one query per stdin line, one JSON list per line")
    searcher.set_defaults(run=_search)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
