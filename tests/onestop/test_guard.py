"""Tests for actions/onestop/guard.py on real SQLite (and PostgreSQL when configured)."""
import datetime as dt

from sqlalchemy import select

from actions.onestop.guard import AttemptGuard, failures

NOW = dt.datetime(2026, 11, 28, 10, 0)
CODE = "000.00.20.H37-251114-0123"


def test_five_failures_block_the_conversation_but_not_another(db_url):
    guard = AttemptGuard(db_url)
    for i in range(4):
        guard.record_failure("chat-a", f"000.00.20.H37-251114-000{i}", NOW)
    assert not guard.conversation_blocked("chat-a", NOW)
    guard.record_failure("chat-a", "000.00.20.H37-251114-0009", NOW)
    assert guard.conversation_blocked("chat-a", NOW)
    assert not guard.conversation_blocked("chat-b", NOW)


def test_five_failures_on_one_code_across_conversations_block_it_for_an_hour(db_url):
    guard = AttemptGuard(db_url)
    for i in range(5):
        guard.record_failure(f"chat-{i}", CODE, NOW)
    assert guard.code_blocked(CODE, NOW)
    assert not guard.code_blocked("000.00.20.H37-251114-0124", NOW)
    assert guard.code_blocked(CODE, NOW + dt.timedelta(minutes=59))
    assert not guard.code_blocked(CODE, NOW + dt.timedelta(minutes=61))


def test_only_digests_are_stored_and_old_tries_are_purged(db_url):
    guard = AttemptGuard(db_url)
    guard.record_failure("chat-secret-id", CODE, NOW - dt.timedelta(days=2))
    guard.record_failure("chat-secret-id", CODE, NOW)
    with guard.engine.connect() as connection:
        rows = connection.execute(select(failures.c.key, failures.c.at)).all()
    assert len(rows) == 2  # the 2-day-old pair was purged
    assert all(len(key) == 64 and "chat" not in key and "H37" not in key for key, _ in rows)


def test_a_second_instance_sees_the_same_counts(db_url):
    for i in range(5):
        AttemptGuard(db_url).record_failure("chat-a", CODE, NOW)
    assert AttemptGuard(db_url).conversation_blocked("chat-a", NOW)
