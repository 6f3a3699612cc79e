"""Command line: `python -m actions.onestop import FILE [--db URL]` (upsert by MaHoSo) and `seed-demo`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from actions.onestop.demo import demo_dossiers
from actions.onestop.model import Dossier
from actions.onestop.store import DossierStore, db_url


def parse_entries(data: Any) -> Tuple[List[Dossier], List[str]]:
    """Validate a JSON array of dossiers; returns (dossiers, errors naming index and reason)."""
    if not isinstance(data, list):
        return [], ["the file must hold a JSON array of dossiers"]
    dossiers, errors = [], []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict):
            errors.append(f"[{index}]: not a JSON object")
            continue
        try:
            dossiers.append(Dossier.parse_obj(entry))
        except ValidationError as error:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            errors.append(f"[{index}] ({entry.get('MaHoSo', '?')}): {reasons}")
    return dossiers, errors


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"Lỗi: không tìm thấy tệp {path}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        print(f"Lỗi: {path} không phải JSON hợp lệ ({error})", file=sys.stderr)
        return 2
    dossiers, errors = parse_entries(data)
    if errors:
        for error in errors:
            print(f"rejected {error}", file=sys.stderr)
        print(f"Lỗi: {len(errors)} mục không hợp lệ; không ghi gì vào cơ sở dữ liệu.", file=sys.stderr)
        return 1
    try:
        store = DossierStore(args.db or db_url())
        inserted, updated = store.upsert(dossiers)
    except SQLAlchemyError as error:
        print(f"Lỗi cơ sở dữ liệu: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 3
    print(f"imported {len(dossiers)} dossiers: {inserted} new, {updated} updated")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    try:
        inserted, updated = DossierStore(args.db or db_url()).upsert(demo_dossiers())
    except SQLAlchemyError as error:
        print(f"Lỗi cơ sở dữ liệu: {error.__class__.__name__}: {error}", file=sys.stderr)
        return 3
    print(f"demo dossiers: {inserted} new, {updated} refreshed (dates moved to today)")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m actions.onestop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import", help="upsert dossiers from a JSON array (national sync format)")
    importer.add_argument("file")
    importer.add_argument("--db", default=None, help="SQLAlchemy URL (default: ONESTOP_DB_URL or var/onestop.db)")
    importer.set_defaults(run=_import)
    seeder = commands.add_parser("seed-demo", help="upsert the fictitious demo dossiers, dated relative to today")
    seeder.add_argument("--db", default=None, help="SQLAlchemy URL (default: ONESTOP_DB_URL or var/onestop.db)")
    seeder.set_defaults(run=_seed_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
