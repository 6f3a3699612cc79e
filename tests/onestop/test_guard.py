"""Tests for actions/onestop/guard.py on real SQLite (and PostgreSQL when configured)."""
import datetime as dt
import hashlib
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from actions.onestop.guard import AttemptGuard, attempts, grants

NOW = dt.datetime(2026, 11, 28, 10, 0)
CODE = "000.00.20.H37-251114-0123"
SECRET = b"test-secret"


def guard_for(url: str, secret: bytes = SECRET) -> AttemptGuard:
    return AttemptGuard(url, secret=secret)


def test_five_failures_block_the_conversation_but_not_another(db_url):
    guard = guard_for(db_url)
    for i in range(4):
        assert guard.record_failure("chat-a", f"000.00.20.H37-251114-000{i}", NOW)
    assert not guard.conversation_blocked("chat-a", NOW)
    assert guard.tries_left("chat-a", NOW) == 1
    guard.record_failure("chat-a", "000.00.20.H37-251114-0009", NOW)
    assert guard.conversation_blocked("chat-a", NOW)
    assert guard.reserve("chat-a", "000.00.20.H37-251114-0010", NOW) is None
    assert not guard.conversation_blocked("chat-b", NOW)


def test_five_failures_on_one_code_across_conversations_block_it_for_an_hour(db_url):
    guard = guard_for(db_url)
    for i in range(5):
        guard.record_failure(f"chat-{i}", CODE, NOW)
    assert guard.code_blocked(CODE, NOW)
    assert guard.reserve("chat-new", CODE, NOW) is None
    assert not guard.code_blocked("000.00.20.H37-251114-0124", NOW)
    assert guard.code_blocked(CODE, NOW + dt.timedelta(minutes=59))
    assert not guard.code_blocked(CODE, NOW + dt.timedelta(minutes=61))
    assert guard.reserve("chat-new", CODE, NOW + dt.timedelta(minutes=61)) is not None


def test_the_tries_a_citizen_sees_are_their_own(db_url):
    guard = guard_for(db_url)
    for i in range(3):
        guard.record_failure(f"other-{i}", CODE, NOW)
    guard.record_failure("mine", CODE, NOW)
    assert guard.tries_left("mine", NOW) == 4


def test_a_refunded_try_does_not_count_and_a_blocked_code_gives_the_conversation_back(db_url):
    guard = guard_for(db_url)
    reservation = guard.reserve("chat-a", CODE, NOW)
    guard.refund(reservation)
    assert guard.failures_for_code(CODE, NOW) == 0 and guard.failures_for_conversation("chat-a", NOW) == 0
    for i in range(5):
        guard.record_failure(f"chat-{i}", CODE, NOW)
    assert guard.reserve("chat-z", CODE, NOW) is None
    assert guard.failures_for_conversation("chat-z", NOW) == 0


def test_concurrent_tries_never_overshoot_the_limit(db_url):
    """50 tries at once on one code, from 50 conversations and two guard instances (replicas)."""
    replicas = [guard_for(db_url), guard_for(db_url)]

    def attempt(i: int) -> bool:
        return replicas[i % 2].reserve(f"chat-{i}", CODE, NOW) is not None

    with ThreadPoolExecutor(max_workers=25) as pool:
        granted = sum(pool.map(attempt, range(50)))
    assert granted == 5
    assert replicas[0].failures_for_code(CODE, NOW) == 5


def test_only_keyed_digests_are_stored_and_old_rows_are_purged(db_url):
    guard = guard_for(db_url)
    guard.record_failure("chat-secret-id", "000.00.20.H37-251114-0999", NOW - dt.timedelta(days=3))
    guard.record_failure("chat-secret-id", CODE, NOW)
    with guard.engine.connect() as connection:
        keys = [row[0] for row in connection.execute(select(attempts.c.key))]
    plain = {hashlib.sha256(f"code:{CODE}".encode()).hexdigest(), hashlib.sha256(b"conversation:chat-secret-id").hexdigest()}
    assert all(len(key) == 64 and "chat" not in key and "H37" not in key for key in keys)
    assert not plain & set(keys)  # an unkeyed SHA-256 of a guessed code finds nothing
    assert len(keys) == 2  # the conversation's key was reused; the 3-day-old code's row purged
    other_secret = guard_for(db_url, b"another-secret")
    assert other_secret.failures_for_code(CODE, NOW) == 0


def test_a_second_instance_sees_the_same_counts(db_url):
    for _ in range(5):
        guard_for(db_url).record_failure("chat-a", CODE, NOW)
    assert guard_for(db_url).conversation_blocked("chat-a", NOW)


def test_a_grant_is_single_use_bound_to_conversation_and_code_and_expires(db_url):
    guard = guard_for(db_url)
    assert not guard.redeem("chat-a", CODE, NOW)
    guard.grant("chat-a", CODE, NOW)
    assert not guard.redeem("chat-b", CODE, NOW)
    assert not guard.redeem("chat-a", "000.00.20.H37-251114-0124", NOW)
    assert guard.redeem("chat-a", CODE, NOW)
    assert not guard.redeem("chat-a", CODE, NOW)
    guard.grant("chat-a", CODE, NOW)
    assert not guard.redeem("chat-a", CODE, NOW + dt.timedelta(minutes=3))
    with guard.engine.connect() as connection:
        keys = [row[0] for row in connection.execute(select(grants.c.key))]
    assert all("chat" not in key and "H37" not in key for key in keys)


def test_concurrent_redeems_of_one_grant_succeed_once(db_url):
    guard = guard_for(db_url)
    guard.grant("chat-a", CODE, NOW)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: guard_for(db_url).redeem("chat-a", CODE, NOW), range(10)))
    assert sum(results) == 1
