"""``fangkong screening <task>``: scheduled and repair work of the screening app.

- ``rebuild-coverage [--campaign ID]``: recompute the coverage counters from
  the visits (they are kept exact as visits are recorded; this is the check).
- ``start-followups [--division CODE]``: start the follow-ups of decided
  measures that have none yet (returnees confirmed while the followups app
  was not installed).
- ``purge-throttle``: forget expired rate-limit windows (``core.throttle``: the
  self-report's and every other limit's; opening a window also does it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fangkong.lib.codes import is_code


class Command(BaseCommand):
    help = "Screening maintenance: rebuild-coverage, start-followups, purge-throttle"

    def add_arguments(self, parser):
        parser.add_argument("task", choices=["rebuild-coverage", "start-followups", "purge-throttle"])
        parser.add_argument("--campaign", type=int, help="only this campaign (rebuild-coverage)")
        parser.add_argument("--division", default="", help="only under this division code (start-followups)")

    def handle(self, *args, task, campaign=None, division="", **opts):
        from fangkong.core import throttle
        from fangkong.screening import services
        from fangkong.screening.models import Campaign

        if division and not is_code(division):
            raise CommandError(f"not a division code: {division!r}")
        if task == "rebuild-coverage":
            target = None
            if campaign is not None:
                target = Campaign.objects.filter(pk=campaign).first()
                if target is None:
                    raise CommandError(f"no campaign {campaign}")
            rows = services.coverage_rebuild(campaign=target)
            self.stdout.write(f"coverage counters rebuilt: {rows} rows")
        elif task == "start-followups":
            n = services.returnee_followups_start(user=None, prefix=division)
            self.stdout.write(f"follow-ups started: {n}")
        else:
            n = throttle.purge()
            self.stdout.write(f"expired throttle windows removed: {n}")
