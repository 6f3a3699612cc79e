"""The database source on real SQLite (and PostgreSQL when TEST_POSTGRES_URL is set)."""
from sqlalchemy import inspect

from actions.onestop.model import Dossier
from actions.onestop.store import DossierStore
from tests.onestop.conftest import dossier


def test_schema_is_created_on_first_use_with_the_code_as_key(db_url):
    store = DossierStore(db_url)
    columns = {column["name"] for column in inspect(store.engine).get_columns("dossiers")}
    assert {"code", "status", "record"} <= columns
    assert inspect(store.engine).get_pk_constraint("dossiers")["constrained_columns"] == ["code"]
    assert store.count() == 0


def test_upsert_inserts_then_updates_by_code(db_url):
    store = DossierStore(db_url)
    first = [Dossier.parse_obj(dossier()), Dossier.parse_obj(dossier(code="000.00.20.H37-251114-0124"))]
    assert store.upsert(first) == (2, 0)
    assert store.upsert([Dossier.parse_obj(dossier(status=9))]) == (0, 1)
    assert store.count() == 2
    assert store.get("000.00.20.H37-251114-0123").TrangThaiHoSo == 9
    assert store.get("000.00.20.H37-251114-0124").TrangThaiHoSo == 4


def test_a_stored_dossier_comes_back_whole(db_url):
    store = DossierStore(db_url)
    original = Dossier.parse_obj(dossier(status=5))
    store.upsert([original])
    assert store.get(original.MaHoSo) == original


def test_unknown_and_hostile_codes_find_nothing(db_url):
    store = DossierStore(db_url)
    store.upsert([Dossier.parse_obj(dossier())])
    for code in ["000.00.20.H37-251114-9999", "' OR '1'='1", "\x00\xff", "x" * 10000, ""]:
        assert store.get(code) is None
    assert store.count() == 1
    assert store.get("000.00.20.h37-251114-0123") is not None  # people type lower case


def test_a_new_store_on_the_same_database_sees_the_data(db_url):
    DossierStore(db_url).upsert([Dossier.parse_obj(dossier())])
    assert DossierStore(db_url).get("000.00.20.H37-251114-0123") is not None
