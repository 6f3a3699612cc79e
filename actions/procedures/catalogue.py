"""Load, validate and save the procedure catalogue (YAML, JSON or JSON Lines; file or folder)."""
from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import zlib

import yaml
from pydantic import ValidationError

from actions.procedures.schema import Procedure

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "procedures"
CATALOGUE_SUFFIXES = (".yml", ".yaml", ".json", ".jsonl", ".jsonl.gz")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class CatalogueError(ValueError):
    """A catalogue file or record that cannot be used; the message names the file, record and field."""


def catalogue_path() -> Path:
    """PROCEDURES_PATH, or the catalogue shipped in data/procedures/."""
    return Path(os.environ.get("PROCEDURES_PATH") or DEFAULT_PATH)


def _is_catalogue_file(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith((".", "_")) and name.endswith(CATALOGUE_SUFFIXES)


def catalogue_files(path: Path) -> List[Path]:
    """The files a path stands for: itself, or every catalogue file under a folder (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if _is_catalogue_file(p))
    if path.is_file():
        return [path]
    raise CatalogueError(f"{path}: no such file or folder")


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_raw(path: Path) -> Iterator[Tuple[str, Any]]:
    """Yield (location, raw record) from one file; location is "file:line" or "file[index]"."""
    name = path.name.lower()
    try:
        with _open_text(path) as stream:
            if name.endswith((".jsonl", ".jsonl.gz")):
                for number, line in enumerate(stream, 1):
                    if line.strip():
                        try:
                            yield f"{path}:{number}", json.loads(line)
                        except json.JSONDecodeError as error:
                            raise CatalogueError(f"{path}:{number}: not valid JSON ({error.msg})") from None
                return
            if name.endswith(".json"):
                data = json.load(stream)
            else:
                data = yaml.load(stream, Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError, EOFError, zlib.error) as error:
        raise CatalogueError(f"{path}: cannot read ({error})") from None
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise CatalogueError(f"{path}: not valid {'JSON' if name.endswith('.json') else 'YAML'} ({error})") from None
    if data is None:
        return
    if isinstance(data, dict) and "procedures" in data:
        data = data["procedures"]
    if isinstance(data, dict):
        yield str(path), data
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield f"{path}[{index}]", item
    else:
        raise CatalogueError(f"{path}: expected a procedure, a list of procedures or 'procedures:'")


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"field {where}: {item['msg']}")
    return "; ".join(parts)


def parse_record(location: str, raw: Any) -> Procedure:
    """Validate one raw record or raise CatalogueError naming the record and the field."""
    if not isinstance(raw, dict):
        raise CatalogueError(f"{location}: a procedure must be a mapping, got {type(raw).__name__}")
    code = raw.get("code", "?")
    try:
        return Procedure.parse_obj(raw)
    except ValidationError as error:
        raise CatalogueError(f"{location} (procedure {code}): {_describe(error)}") from None


class Catalogue:
    """Validated procedures by code, in load order."""

    def __init__(self, procedures: Iterable[Procedure], source: str = "") -> None:
        self.source = source
        self.by_code: Dict[str, Procedure] = {}
        for procedure in procedures:
            if procedure.code in self.by_code:
                raise CatalogueError(f"{source}: procedure {procedure.code} appears twice")
            self.by_code[procedure.code] = procedure

    def __len__(self) -> int:
        return len(self.by_code)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self.by_code.values())

    def get(self, code: str) -> Optional[Procedure]:
        """The procedure with this code, if any."""
        return self.by_code.get((code or "").strip())

    def fields(self) -> List[str]:
        """Distinct fields (lĩnh vực), most procedures first."""
        counts: Dict[str, int] = {}
        for procedure in self:
            if procedure.field:
                counts[procedure.field] = counts.get(procedure.field, 0) + 1
        return sorted(counts, key=lambda field: (-counts[field], field))


def load(path: Union[str, Path, None] = None) -> Catalogue:
    """Load and validate every record under `path` (default: PROCEDURES_PATH or data/procedures/)."""
    root = Path(path) if path else catalogue_path()
    procedures: List[Procedure] = []
    seen: Dict[str, str] = {}
    for file in catalogue_files(root):
        for location, raw in read_raw(file):
            procedure = parse_record(location, raw)
            if procedure.code in seen:
                raise CatalogueError(
                    f"{location}: procedure {procedure.code} is already defined at {seen[procedure.code]}"
                )
            seen[procedure.code] = location
            procedures.append(procedure)
    if not procedures:
        raise CatalogueError(f"{root}: no procedures found")
    return Catalogue(procedures, source=str(root))


def _plain(procedure: Procedure) -> Dict[str, Any]:
    return json.loads(procedure.json(exclude_none=True, exclude_defaults=True))


def save(procedures: Iterable[Procedure], dest: Union[str, Path]) -> Path:
    """Write procedures to `dest`: .jsonl(.gz), .json or .yml; a folder gets procedures.jsonl."""
    dest = Path(dest)
    if dest.is_dir() or not dest.name.lower().endswith(CATALOGUE_SUFFIXES):
        dest.mkdir(parents=True, exist_ok=True)
        dest = dest / "procedures.jsonl"
    dest.parent.mkdir(parents=True, exist_ok=True)
    records = [_plain(procedure) for procedure in procedures]
    tmp = dest.with_name(dest.name + ".tmp")
    name = dest.name.lower()
    opener = gzip.open if name.endswith(".gz") else open
    with opener(tmp, "wt", encoding="utf-8") as stream:
        if name.endswith((".jsonl", ".jsonl.gz")):
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        elif name.endswith(".json"):
            json.dump(records, stream, ensure_ascii=False, indent=1)
        else:
            yaml.dump({"procedures": records}, stream, Dumper=_YAML_DUMPER, allow_unicode=True, sort_keys=False)
    tmp.replace(dest)  # never leave a half-written catalogue behind
    return dest
