"""``fangkong audit verify``: check the audit trail's hash chain; exit 1 at the
first broken link, or when entries older than a few minutes have no seal.
``fangkong audit seal``: seal the entries whose process died before sealing
them (``--every N``: again every N seconds, as ``fangkong serve`` runs it).
``fangkong audit grant-app-role ROLE``: on PostgreSQL, grant a role that does
not own the tables what the app needs, and on the audit trail only SELECT and
INSERT (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from fangkong.audit.chain import SEALS, TABLE, first_break, seal_pending, unsealed

# An entry is sealed right after its transaction commits; one older than this
# without a seal means its process died and `audit seal` has not run since.
UNSEALED_AFTER = dt.timedelta(minutes=5)
# `audit seal` leaves the entries younger than this to their own process.
SEAL_AFTER = dt.timedelta(minutes=1)
# `--every`: after a first pass over the whole trail, only this far back.
SEAL_LOOKBACK = dt.timedelta(hours=2)


def grant_statements(role: str) -> list[str]:
    """What the app role needs: read and write every table but the audit
    trail, which it may only read and append to; use the sequences."""
    r = connection.ops.quote_name(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"REVOKE ALL ON {TABLE}, {SEALS} FROM {r}",
        f"GRANT SELECT, INSERT ON {TABLE}, {SEALS} TO {r}",
        f"GRANT EXECUTE ON FUNCTION audit_seal_head() TO {r}",
    ]


class Command(BaseCommand):
    help = "The audit trail: verify its hash chain; seal entries left unsealed; grant an app role on PostgreSQL."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        verify = sub.add_parser(
            "verify",
            help="check every entry's hash; exit 1 at the first broken link or when "
            "entries older than 5 minutes are not sealed",
        )
        verify.add_argument("--seal", action="store_true", help="seal entries left unsealed first (as `audit seal`)")
        seal = sub.add_parser("seal", help="seal the entries (older than a minute) whose process did not")
        seal.add_argument(
            "--every", type=int, default=0, metavar="SECONDS", help="keep running: seal again every SECONDS"
        )
        grant = sub.add_parser(
            "grant-app-role",
            help="PostgreSQL: grant ROLE what the app needs, the audit "
            "trail only SELECT and INSERT (run as the tables' owner)",
        )
        grant.add_argument("role")
        grant.add_argument("--print", action="store_true", dest="print_only", help="print the SQL, do not run it")

    def handle(self, *args, op, **options):
        if op == "verify":
            if options["seal"]:
                self._seal_once(since=None)
            return self._verify()
        if op == "seal":
            return self._seal(options["every"])
        return self._grant(options["role"], options["print_only"])

    def _seal_once(self, since) -> int:
        n = seal_pending(since=since, before=timezone.now() - SEAL_AFTER)
        if n:
            self.stdout.write(f"sealed {n} audit entries their process had left unsealed")
        return n

    def _seal(self, every: int):
        if every <= 0:
            self._seal_once(since=None)
            return
        since = None  # the first pass covers the whole trail
        while True:
            started = timezone.now()
            try:
                self._seal_once(since=since)
                since = started - SEAL_LOOKBACK
            except DatabaseError as exc:  # the database restarting: try again next time
                self.stderr.write(f"audit seal: {exc}")
            close_old_connections()
            connection.close()
            time.sleep(every)

    def _verify(self):
        failed = False
        broken, checked = first_break()
        if broken is None:
            self.stdout.write(f"audit trail intact: {checked} entries, every link verified")
        elif broken.at is None:
            failed = True
            self.stderr.write(
                f"audit trail broken at entry id={broken.id}: the entry is gone but its seal is there; "
                f"{checked - 1} entries before it verified"
            )
        else:
            failed = True
            at = timezone.localtime(broken.at).strftime("%Y-%m-%d %H:%M:%S")
            self.stderr.write(
                f"audit trail broken at entry id={broken.id} (time {at}): its hash does not follow "
                f"from the entry before it (the entry was changed, or one before it removed or "
                f"inserted); {checked - 1} entries before it verified"
            )
        n, first = unsealed(before=timezone.now() - UNSEALED_AFTER)
        if n:
            failed = True
            self.stderr.write(
                f"audit trail: {n} entries older than {UNSEALED_AFTER.seconds // 60} minutes are "
                f"unsealed (not in the chain), the first ids {', '.join(map(str, first))}: their "
                f"process died before sealing them and `fangkong audit seal` has not run since, or "
                f"they were inserted by something else; `fangkong audit seal` seals them"
            )
        if failed:
            raise SystemExit(1)

    def _grant(self, role: str, print_only: bool):
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
            raise CommandError("ROLE: a PostgreSQL role name (letters, digits, underscore)")
        statements = grant_statements(role)
        if print_only:
            self.stdout.write(";\n".join(statements) + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError("grant-app-role is for PostgreSQL (SQLite has no roles)")
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"granted {role}: the app's tables; {TABLE} only SELECT, INSERT")
