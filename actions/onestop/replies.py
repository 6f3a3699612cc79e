"""What a verified owner is told about their dossier, in plain Vietnamese (pure functions).

Only ever called after the code and phone digits matched. Every fact comes from the dossier;
the next step for each status is the one the national procedure rules prescribe.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from actions.onestop.model import Dossier, HistoryStep

# Statuses where the agency, not the citizen, holds the dossier: the due date runs.
AGENCY_SIDE = {1, 2, 4}
# Statuses with nothing left to do; no due date reminder.
FINISHED = {3, 7, 8, 9, 10}
DEFAULT_SYSTEM_NAME = "Hệ thống thông tin một cửa điện tử"


def mask_name(name: str) -> str:
    """'Nguyễn Văn An' -> 'Nguyễn V** A**': the family name, then initials only."""
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}**"
    return " ".join([words[0]] + [f"{word[0]}**" for word in words[1:]])


def overdue_days(dossier: Dossier, now: dt.datetime) -> int:
    """Whole days past the due date while the agency holds the dossier; 0 otherwise."""
    due = dossier.NgayHenTra
    if due is None or dossier.TrangThaiHoSo not in AGENCY_SIDE or now <= due:
        return 0
    return max((now.date() - due.date()).days, 1)


def _date(value: Optional[dt.datetime]) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _latest_step(dossier: Dossier, status: Optional[int] = None) -> Optional[HistoryStep]:
    steps = [s for s in dossier.QuaTrinhXuLy if status is None or s.TrangThai == status]
    dated = [s for s in steps if s.ThoiDiemXuLy]
    if dated:
        return max(dated, key=lambda s: s.ThoiDiemXuLy)
    return steps[-1] if steps else None


def _reason(dossier: Dossier, status: int) -> str:
    step = _latest_step(dossier, status)
    return (step.NoiDungXuLy or "").strip() if step else ""


def _collect_where(dossier: Dossier) -> str:
    if dossier.KenhThucHien == 2:
        return (
            "Kết quả điện tử có trong tài khoản của bạn trên Cổng dịch vụ công; nếu đăng ký nhận bản giấy, "
            f"bạn nhận tại {dossier.DonViXuLy or 'nơi đã nộp hồ sơ'} hoặc qua bưu chính như đã đăng ký."
        )
    if dossier.KenhThucHien == 3:
        return "Kết quả sẽ được gửi qua bưu chính đến địa chỉ bạn đã đăng ký."
    where = dossier.DonViXuLy or "nơi đã nộp hồ sơ"
    return f"Bạn mang giấy biên nhận và giấy tờ tùy thân đến {where} để nhận kết quả."


def next_step(dossier: Dossier, portal_url: str = "") -> str:
    """What the citizen should do now, for the dossier's status."""
    status = dossier.TrangThaiHoSo
    portal = f" ({portal_url})" if portal_url else ""
    unit = dossier.DonViXuLy or "cơ quan giải quyết"
    if status == 1:
        return "Hồ sơ đang chờ cán bộ kiểm tra để tiếp nhận. Bạn chưa cần làm gì thêm."
    if status == 2:
        return f"Hồ sơ đã được tiếp nhận và chuyển {unit} giải quyết. Bạn chờ đến ngày hẹn trả."
    if status == 3:
        reason = _reason(dossier, 3)
        why = f"Lý do: {reason}\n" if reason else ""
        return f"{why}Bạn có thể hoàn thiện hồ sơ và nộp lại."
    if status == 4:
        return f"Hồ sơ đang được {unit} giải quyết. Bạn chưa cần làm gì thêm."
    if status == 5:
        request = _reason(dossier, 5)
        if request:
            what = f"Giấy tờ cần bổ sung: {request}"
        else:
            what = "Nội dung cần bổ sung chưa có trong dữ liệu tra cứu; bạn vui lòng liên hệ " + unit + "."
        return (
            f"{what}\nBạn bổ sung trên Cổng dịch vụ công{portal} (nếu nộp trực tuyến) hoặc tại nơi nộp hồ sơ "
            "để hồ sơ được tiếp tục giải quyết."
        )
    if status == 6:
        detail = _reason(dossier, 6)
        what = f"Nội dung: {detail}\n" if detail else ""
        return (
            f"{what}Bạn cần nộp phí, lệ phí hoặc thuế theo thông báo để hồ sơ được tiếp tục giải quyết; "
            f"có thể thanh toán trực tuyến trên Cổng dịch vụ công{portal} hoặc tại nơi nộp hồ sơ."
        )
    if status == 7:
        return "Hồ sơ đã được rút theo yêu cầu của bạn; cơ quan không tiếp tục giải quyết."
    if status == 8:
        reason = _reason(dossier, 8)
        why = f"Lý do: {reason}\n" if reason else ""
        return f"{why}Nếu cần làm rõ, bạn vui lòng liên hệ {unit}."
    if status == 9:
        return "Kết quả đã sẵn sàng. " + _collect_where(dossier)
    return f"Kết quả đã được trả{' ngày ' + _date(dossier.NgayTra) if dossier.NgayTra else ''}."


def status_reply(
    dossier: Dossier,
    now: dt.datetime,
    hotline_text: str = "",
    portal_url: str = "",
    system_name: str = DEFAULT_SYSTEM_NAME,
) -> str:
    """The whole answer for the verified owner: procedure, status, next step, dates, source."""
    lines: List[str] = [f"Hồ sơ {dossier.MaHoSo}"]
    lines.append(f"• Thủ tục: {dossier.TenTTHC}")
    lines.append(f"• Người nộp: {mask_name(dossier.ChuHoSo)}")
    lines.append(f"• Trạng thái: {dossier.status_label}")
    if dossier.TrangThaiHoSo in {1, 3} or not dossier.NgayTiepNhan:
        if dossier.NgayNopHoSo:
            lines.append(f"• Ngày nộp: {_date(dossier.NgayNopHoSo)}")
    else:
        lines.append(f"• Ngày tiếp nhận: {_date(dossier.NgayTiepNhan)}")
    if dossier.NgayHenTra and dossier.TrangThaiHoSo not in {3, 7}:
        lines.append(f"• Ngày hẹn trả: {_date(dossier.NgayHenTra)}")
    if dossier.DonViXuLy and dossier.TrangThaiHoSo not in FINISHED:
        lines.append(f"• Đơn vị xử lý: {dossier.DonViXuLy}")
    lines.append(next_step(dossier, portal_url))
    late = overdue_days(dossier, now)
    if late:
        call = f" Bạn có thể liên hệ {hotline_text} để được hỗ trợ." if hotline_text else ""
        lines.append(
            f"Hồ sơ đã quá hạn {late} ngày so với ngày hẹn trả. Chúng tôi thành thật xin lỗi vì sự chậm trễ này."
            + call
        )
    lines.append(f"Nguồn: {system_name} (tra cứu lúc {now:%H:%M %d/%m/%Y})")
    return "\n".join(lines)
