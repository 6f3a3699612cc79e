"""One-stop lookup benchmark: latency at 100,000 dossiers (SQLite, and through the HTTP source
against a gateway on 127.0.0.1) and throughput with 50 concurrent lookups.

Usage: .venv/bin/python bench/onestop.py [--dossiers 100000] [--lookups 2000] [--db URL]
Loopback only; everything it starts stops by itself. Writes bench/results/onestop.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from actions.onestop.model import Dossier  # noqa: E402
from actions.onestop.sources import DatabaseSource, HttpSource  # noqa: E402
from actions.onestop.store import DossierStore  # noqa: E402

TOKEN = "bench-token"


def fictitious(index: int, rng: random.Random) -> Dossier:
    """A made-up dossier (no real person)."""
    day = 250101 + (index // 2000) % 28
    return Dossier.parse_obj({
        "MaHoSo": f"000.00.{20 + index % 70:02d}.H37-{day:06d}-{index % 10000:04d}",
        "TenTTHC": "Đăng ký tạm trú",
        "ChuHoSo": f"Người Thử {index}",
        "SoDienThoai": f"09{rng.randrange(10**8):08d}",
        "TrangThaiHoSo": rng.randint(1, 10),
        "NgayNopHoSo": "20250101080000",
        "NgayHenTra": "20250110170000",
        "QuaTrinhXuLy": [{"NguoiXuLy": "Cán bộ", "ThoiDiemXuLy": "20250101090000", "NoiDungXuLy": "Tiếp nhận", "TrangThai": 2}],
    })


def summary(timings: List[float]) -> Dict[str, float]:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))] * 1000, 2),
        "max_ms": round(timings[-1] * 1000, 2),
    }


async def timed(source, codes: List[str]) -> List[float]:
    timings = []
    for code in codes:
        start = time.perf_counter()
        result = await source.lookup(code)
        timings.append(time.perf_counter() - start)
        assert result.status == "found", result
    return timings


async def throughput(source, codes: List[str], concurrency: int = 50) -> float:
    """Lookups per second with `concurrency` lookups in flight."""
    queue = list(codes)

    async def worker():
        while queue:
            await source.lookup(queue.pop())

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return round(len(codes) / (time.perf_counter() - start), 1)


async def gateway(store: DossierStore):
    """A minimal one-stop HTTP API (docs/onestop-api.md) over the same store, on 127.0.0.1."""
    database = DatabaseSource(store)

    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorised"}, status=401)
        result = await database.lookup(request.match_info["code"])
        if result.status != "found":
            return web.json_response({"error": result.status}, status=404)
        return web.json_response(result.dossier.to_national())

    app = web.Application()
    app.router.add_get("/dossiers/{code}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}"


async def measure(store: DossierStore, codes: List[str], lookups: int) -> Dict[str, Dict]:
    rng = random.Random(3)
    sample = [rng.choice(codes) for _ in range(lookups)]
    database = DatabaseSource(store)
    results = {"database": summary(await timed(database, sample))}
    results["database"]["lookups_per_s_50_concurrent"] = await throughput(database, sample)
    runner, url = await gateway(store)
    http = HttpSource(url, TOKEN)
    try:
        results["http"] = summary(await timed(http, sample))
        results["http"]["lookups_per_s_50_concurrent"] = await throughput(http, sample)
    finally:
        await http.close()
        await runner.cleanup()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--db", default=None, help="SQLAlchemy URL (default: a fresh SQLite file in a temp folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        store = DossierStore(args.db or f"sqlite:///{Path(folder) / 'bench.db'}")
        rng = random.Random(7)
        start = time.perf_counter()
        records = [fictitious(index, rng) for index in range(args.dossiers)]
        for offset in range(0, len(records), 10_000):
            store.upsert(records[offset : offset + 10_000])
        load_s = time.perf_counter() - start
        codes = list({record.MaHoSo for record in records})
        print(f"{store.count()} dossiers loaded in {load_s:.1f} s ({store.url.split(':')[0]})")
        results = asyncio.run(measure(store, codes, args.lookups))
        for name, numbers in results.items():
            print(
                f"{name:9} lookup p50 {numbers['p50_ms']} ms, p95 {numbers['p95_ms']} ms, max {numbers['max_ms']} ms; "
                f"{numbers['lookups_per_s_50_concurrent']} lookups/s with 50 in flight"
            )
        results["dossiers"] = store.count()
        results["load_s"] = round(load_s, 1)
        store.engine.dispose()
    out = ROOT / "bench" / "results" / "onestop.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
