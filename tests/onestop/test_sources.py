"""Both sources against real things: a real aiohttp server on 127.0.0.1 that misbehaves on
purpose, a closed port, and the real SQL store."""
import asyncio
import socket
import time

import pytest
from aiohttp import web

from actions.onestop.model import Dossier
from actions.onestop.sources import (
    BAD_ANSWER,
    FOUND,
    NOT_FOUND,
    UNAVAILABLE,
    DatabaseSource,
    HttpSource,
    source_from_env,
)
from actions.onestop.store import DossierStore
from tests.onestop.conftest import dossier

CODE = "000.00.20.H37-251114-0123"
TOKEN = "test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def fake_system(behaviour: str):
    """Start a one-stop API on 127.0.0.1 that behaves as asked; returns (runner, base URL, calls)."""
    calls = []

    async def handler(request: web.Request) -> web.StreamResponse:
        calls.append({"auth": request.headers.get("Authorization"), "code": request.match_info["code"]})
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unauthorised"}, status=401)
        if behaviour == "slow":
            await asyncio.sleep(10)
        if behaviour == "error":
            return web.Response(status=500, text="Internal Server Error")
        if behaviour == "malformed":
            return web.Response(status=200, text="{not json", content_type="application/json")
        if behaviour == "wrong_shape":
            return web.json_response({"MaHoSo": request.match_info["code"], "TrangThaiHoSo": "đang xử lý"})
        if request.match_info["code"] != CODE:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response(dossier(code=CODE))

    app = web.Application()
    app.router.add_get("/dossiers/{code}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}", calls


async def ask(behaviour: str, code: str = CODE, token: str = TOKEN, timeout: float = 2.0):
    runner, url, calls = await fake_system(behaviour)
    source = HttpSource(url, token, timeout=timeout)
    try:
        start = time.monotonic()
        result = await source.lookup(code)
        return result, time.monotonic() - start, calls
    finally:
        await source.close()
        await runner.cleanup()


def test_a_dossier_is_found_with_the_bearer_token():
    result, _, calls = asyncio.run(ask("ok"))
    assert result.status == FOUND
    assert result.dossier == Dossier.parse_obj(dossier(code=CODE))
    assert calls == [{"auth": f"Bearer {TOKEN}", "code": CODE}]


def test_unknown_code_is_not_found():
    result, _, _ = asyncio.run(ask("ok", code="000.00.20.H37-251114-9999"))
    assert result.status == NOT_FOUND


@pytest.mark.parametrize("behaviour, status", [("error", UNAVAILABLE), ("malformed", BAD_ANSWER), ("wrong_shape", BAD_ANSWER)])
def test_a_failing_system_gives_a_clear_status(behaviour, status):
    result, elapsed, _ = asyncio.run(ask(behaviour))
    assert result.status == status and result.dossier is None
    assert elapsed < 2


def test_a_slow_system_is_given_up_within_the_time_limit():
    result, elapsed, _ = asyncio.run(ask("slow", timeout=1.5))
    assert result.status == UNAVAILABLE
    assert elapsed < 2.5


def test_a_wrong_token_is_a_bad_answer_not_a_crash():
    result, _, _ = asyncio.run(ask("ok", token="wrong"))
    assert result.status == BAD_ANSWER


def test_a_refused_connection_is_retried_once_then_unavailable():
    async def refused():
        source = HttpSource(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=3)
        start = time.monotonic()
        result = await source.lookup(CODE)
        await source.close()
        return result, time.monotonic() - start

    result, elapsed = asyncio.run(refused())
    assert result.status == UNAVAILABLE and "connection" in result.detail
    assert elapsed < 3


@pytest.mark.parametrize("code", ["' OR 1=1 --", "../../etc/passwd", "x" * 10000, "\x00\xff", ""])
def test_hostile_codes_never_crash_the_http_source(code):
    result, _, calls = asyncio.run(ask("ok", code=code))
    assert result.status == NOT_FOUND
    assert calls == []  # not even sent to the one-stop system


def test_database_source_finds_and_misses(db_url):
    store = DossierStore(db_url)
    store.upsert([Dossier.parse_obj(dossier(code=CODE))])
    source = DatabaseSource(store)
    assert asyncio.run(source.lookup(CODE)).status == FOUND
    assert asyncio.run(source.lookup("000.00.20.H37-251114-9999")).status == NOT_FOUND
    assert asyncio.run(source.lookup("'; DROP TABLE dossiers; --")).status == NOT_FOUND
    assert store.count() == 1


def test_database_source_reports_a_broken_database_as_unavailable(tmp_path):
    store = DossierStore(f"sqlite:///{tmp_path / 'x.db'}")
    store.engine.dispose()
    (tmp_path / "x.db").write_bytes(b"this is not a database" * 100)
    result = asyncio.run(DatabaseSource(store).lookup(CODE))
    assert result.status == UNAVAILABLE


def test_the_environment_chooses_the_source(monkeypatch, tmp_path):
    monkeypatch.setenv("ONESTOP_DB_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("ONESTOP_API_URL", raising=False)
    assert isinstance(source_from_env(), DatabaseSource)
    monkeypatch.setenv("ONESTOP_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ONESTOP_API_TOKEN", "secret")
    source = source_from_env()
    assert isinstance(source, HttpSource) and source.token == "secret"
