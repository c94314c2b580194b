from django.core.management.base import BaseCommand, CommandError

from fangkong.followups.recount import recount
from fangkong.lib.codes import is_code


class Command(BaseCommand):
    help = "Rebuild the follow-up day counts (FollowUpDayCount) from raw rows, optionally under one division."

    def add_arguments(self, parser):
        parser.add_argument("--division", default="", help="only under this division code")

    def handle(self, *args, division="", **options):
        if division and not is_code(division):
            raise CommandError(f"not a division code: {division}")
        n = recount(division)
        self.stdout.write(f"followups: {n} day-count rows rebuilt{' under ' + division if division else ''}")
