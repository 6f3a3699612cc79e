"""Tests for actions/onestop/demo.py: the demo set covers what the README promises."""
import datetime as dt

from actions.onestop.demo import demo_dossiers
from actions.onestop.model import STATUS_LABELS
from actions.onestop.replies import overdue_days

TODAY = dt.date(2026, 11, 28)


def test_every_status_an_overdue_one_and_one_awaiting_documents():
    dossiers = demo_dossiers(TODAY)
    assert {d.TrangThaiHoSo for d in dossiers} == set(STATUS_LABELS)
    now = dt.datetime.combine(TODAY, dt.time(12))
    assert any(overdue_days(d, now) for d in dossiers)
    awaiting = [d for d in dossiers if d.TrangThaiHoSo == 5]
    assert awaiting and any(step.TrangThai == 5 and step.NoiDungXuLy for step in awaiting[0].QuaTrinhXuLy)
    assert len({d.MaHoSo for d in dossiers}) == len(dossiers)
    assert len({d.phone_digits[-4:] for d in dossiers}) == len(dossiers)


def test_dates_follow_today():
    first = demo_dossiers(TODAY)
    later = demo_dossiers(TODAY + dt.timedelta(days=30))
    for a, b in zip(first, later):
        assert a.MaHoSo == b.MaHoSo
        if a.NgayHenTra:
            assert b.NgayHenTra - a.NgayHenTra == dt.timedelta(days=30)
    # Only the overdue one is overdue, whatever the day.
    for day, dossiers in ((TODAY, first), (TODAY + dt.timedelta(days=30), later)):
        now = dt.datetime.combine(day, dt.time(12))
        assert sum(1 for d in dossiers if overdue_days(d, now)) == 1
