"""The rules every reveal of a full ID number or phone follows, wherever it is
(people pages and API, screening arrivals): a meaningful reason, a per-user
limit counted in the database (so it holds across server processes and
threads), and an alert in the audit trail for the inspectors when a user
reveals more than a threshold in one day.

Limits come from settings (environment variables, see docs/operations.md):
``FANGKONG_REVEALS_PER_MINUTE``, ``FANGKONG_REVEALS_PER_HOUR``,
``FANGKONG_REVEAL_ALERT_PER_DAY``."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.scoping import acting_assignment
from fangkong.audit.models import AuditEntry
from fangkong.audit.services import record

MIN_REASON_CHARS = 4


class RevealLimited(ValidationError):
    """Too many reveals by this user in the window; nothing was revealed."""

    def __init__(self, message: str):
        super().__init__({"__all__": [message]}, code="rate_limited")


def clean_reason(reason: str) -> str:
    """The reason as kept in the audit trail (whitespace collapsed), if it says
    something: at least MIN_REASON_CHARS letters or digits once punctuation,
    symbols and spaces are removed, at least one letter (a Chinese character
    counts), and not one character repeated."""
    text = " ".join((reason or "").split())[:200]
    meaningful = [ch for ch in text if unicodedata.category(ch)[0] in "LN"]
    if (
        len(meaningful) < MIN_REASON_CHARS
        or len(set(meaningful)) < 2
        or not any(unicodedata.category(ch)[0] == "L" for ch in meaningful)
    ):
        raise ValidationError(
            {
                "reason": _(
                    "请写明查看原因：至少4个字，说明为何需要完整号码（如“电话通知居家隔离”），"
                    "不能只是标点、数字或同一个字的重复。"
                )
            },
            code="reason",
        )
    return text


def _limits() -> tuple[int, int, int]:
    return (
        settings.FANGKONG_REVEALS_PER_MINUTE,
        settings.FANGKONG_REVEALS_PER_HOUR,
        settings.FANGKONG_REVEAL_ALERT_PER_DAY,
    )


def reveal_record(user, obj, *, field: str, reason: str, request=None) -> None:
    """Audit a reveal of ``field`` of ``obj`` and enforce the limits. Call inside
    the reveal's transaction, before decrypting: raises RevealLimited (and the
    transaction, entry included, rolls back) when the user is over a limit.

    The user's row is locked first, so a user's concurrent reveals are counted
    one after another (PostgreSQL); the entry is written before counting, so on
    SQLite the write lock orders them the same way."""
    per_minute, per_hour, alert_per_day = _limits()
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    record(user, "reveal", obj, reason=reason, detail={"field": field}, request=request)
    now = timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    hour_ago, minute_ago = now - dt.timedelta(hours=1), now - dt.timedelta(minutes=1)
    counts = AuditEntry.objects.filter(actor=user, action="reveal", at__gte=min(day_start, hour_ago)).aggregate(
        minute=Count("id", filter=Q(at__gte=minute_ago)),
        hour=Count("id", filter=Q(at__gte=hour_ago)),
        day=Count("id", filter=Q(at__gte=day_start)),
    )
    if counts["minute"] > per_minute:
        raise RevealLimited(_("查看完整号码过于频繁：每分钟最多 %(n)s 次。请1分钟后再试。") % {"n": per_minute})
    if counts["hour"] > per_hour:
        raise RevealLimited(
            _("查看完整号码过于频繁：每小时最多 %(n)s 次。请稍后再试；确需大量核对的，请联系上级。") % {"n": per_hour}
        )
    if counts["day"] == alert_per_day + 1:
        # Once a day per user, when the threshold is first passed: the inspectors see it in the audit trail.
        assignment = acting_assignment(user, getattr(obj, "division_code", None))
        record(
            user,
            "alert",
            object_type="accounts.user",
            object_id=user.pk,
            division_code=assignment.division_id if assignment else "",
            detail={"kind": "reveals_per_day", "count": counts["day"], "threshold": alert_per_day},
            request=request,
        )
