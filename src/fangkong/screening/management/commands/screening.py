"""``fangkong screening <task>``: scheduled and repair work of the screening app.

- ``rebuild-coverage [--campaign ID]``: recompute the coverage counters from
  the visits (they are kept exact as visits are recorded; this is the check).
- ``purge-throttle``: forget expired rate-limit windows (``core.throttle``: the
  self-report's and every other limit's; opening a window also does it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Screening maintenance: rebuild-coverage, purge-throttle"

    def add_arguments(self, parser):
        parser.add_argument("task", choices=["rebuild-coverage", "purge-throttle"])
        parser.add_argument("--campaign", type=int, help="only this campaign (rebuild-coverage)")

    def handle(self, *args, task, campaign=None, **opts):
        from fangkong.core import throttle
        from fangkong.screening import services
        from fangkong.screening.models import Campaign

        if task == "rebuild-coverage":
            target = None
            if campaign is not None:
                target = Campaign.objects.filter(pk=campaign).first()
                if target is None:
                    raise CommandError(f"no campaign {campaign}")
            rows = services.coverage_rebuild(campaign=target)
            self.stdout.write(f"coverage counters rebuilt: {rows} rows")
        else:
            n = throttle.purge()
            self.stdout.write(f"expired throttle windows removed: {n}")
