"""Scheduled work: which communities have overdue health checks and deliveries
now (for the morning notice to grid workers, or a cron mail). Overdue is not a
stored status — a due check past its window is overdue by definition — so this
only reads, through the same partial index the pages use."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from fangkong.followups.choices import OPEN_DELIVERY_STATUSES, CheckStatus
from fangkong.followups.models import DeliveryRequest, HealthCheck
from fangkong.followups.selectors import codes_under
from fangkong.lib.codes import is_code, prefix_range
from fangkong.regions.models import Division


class Command(BaseCommand):
    help = "List communities with overdue health checks and care deliveries, optionally under one division."

    def add_arguments(self, parser):
        parser.add_argument("--division", default="", help="only under this division code (default: the city)")

    def handle(self, *args, division="", **options):
        from django.conf import settings

        division = division or settings.FANGKONG_CITY_CODE
        if not is_code(division):
            raise CommandError(f"not a division code: {division}")
        now = timezone.now()
        checks = dict(HealthCheck.objects.filter(status=CheckStatus.DUE, division_code__in=codes_under([division]),
                                                 window_end__lte=now)
                      .values_list("division_code").annotate(n=Count("id")).values_list("division_code", "n"))
        lo, hi = prefix_range(division)
        deliveries = dict(DeliveryRequest.objects.filter(division_code__gte=lo, division_code__lt=hi,
                                                         status__in=OPEN_DELIVERY_STATUSES, needed_by__lte=now)
                          .values_list("division_code").annotate(n=Count("id")).values_list("division_code", "n"))
        per_community: dict[str, list[int]] = {}
        for code, n in checks.items():
            per_community.setdefault(code[:12], [0, 0])[0] += n
        for code, n in deliveries.items():
            per_community.setdefault(code[:12], [0, 0])[1] += n
        names = dict(Division.objects.filter(code__in=per_community).values_list("code", "short_name"))
        for code, (c, d) in sorted(per_community.items()):
            self.stdout.write(f"{code}\t{names.get(code, '')}\t逾期检测 {c}\t超时配送 {d}")
        self.stdout.write(f"{len(per_community)} communities; overdue checks {sum(checks.values())}, "
                          f"overdue deliveries {sum(deliveries.values())}")
