"""Scheduled work: which communities have overdue health checks and deliveries
now, and central quarantines past their time for a second person's
confirmation (for the morning notice to grid workers, or a cron mail).
Overdue is not a stored status — a due check past its window is overdue by
definition — so this only reads, through the same partial index the pages use.

The output is in the active language (Chinese by default); ``--language en``
prints English."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.followups.choices import OPEN_DELIVERY_STATUSES, OPEN_STATUSES, ApprovalState, CheckStatus
from fangkong.followups.models import DeliveryRequest, FollowUp, HealthCheck
from fangkong.followups.selectors import codes_under
from fangkong.lib.codes import is_code, prefix_range
from fangkong.regions.selectors import division_names


class Command(BaseCommand):
    help = (
        "List communities with overdue health checks, care deliveries and central-quarantine approvals, "
        "optionally under one division."
    )

    def add_arguments(self, parser):
        parser.add_argument("--division", default="", help="only under this division code (default: the city)")
        parser.add_argument(
            "--language",
            default="",
            choices=["", *[code for code, _name in settings.LANGUAGES]],
            help=f"language of the output (default: the active language, {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args, division="", language="", **options):
        with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
            self._report(division or settings.FANGKONG_CITY_CODE)

    def _report(self, division: str) -> None:
        if not is_code(division):
            raise CommandError(_("不是区划代码：%(code)s") % {"code": division})
        now = timezone.now()
        checks = dict(
            HealthCheck.objects.filter(
                status=CheckStatus.DUE, division_code__in=codes_under([division]), window_end__lte=now
            )
            .values_list("division_code")
            .annotate(n=Count("id"))
            .values_list("division_code", "n")
        )
        lo, hi = prefix_range(division)
        deliveries = dict(
            DeliveryRequest.objects.filter(
                division_code__gte=lo, division_code__lt=hi, status__in=OPEN_DELIVERY_STATUSES, needed_by__lte=now
            )
            .values_list("division_code")
            .annotate(n=Count("id"))
            .values_list("division_code", "n")
        )
        approvals = dict(
            FollowUp.objects.filter(
                division_code__gte=lo,
                division_code__lt=hi,
                status__in=OPEN_STATUSES,
                approval=ApprovalState.PENDING,
                approval_due__lte=now,
            )
            .values_list("division_code")
            .annotate(n=Count("id"))
            .values_list("division_code", "n")
        )
        per_community: dict[str, list[int]] = {}
        for i, counts in enumerate((checks, deliveries, approvals)):
            for code, n in counts.items():
                per_community.setdefault(code[:12], [0, 0, 0])[i] += n
        names = division_names(per_community)
        for code, (c, d, a) in sorted(per_community.items()):
            self.stdout.write(
                "\t".join(
                    [
                        code,
                        names.get(code, ""),
                        _("逾期检测 %(n)s") % {"n": c},
                        _("超时配送 %(n)s") % {"n": d},
                        _("集中隔离审批逾期 %(n)s") % {"n": a},
                    ]
                )
            )
        self.stdout.write(
            _("%(communities)s 个村/社区；逾期检测 %(checks)s，超时配送 %(deliveries)s，集中隔离审批逾期 %(approvals)s")
            % {
                "communities": len(per_community),
                "checks": sum(checks.values()),
                "deliveries": sum(deliveries.values()),
                "approvals": sum(approvals.values()),
            }
        )
