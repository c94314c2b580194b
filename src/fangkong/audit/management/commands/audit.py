"""``fangkong audit verify``: check the audit trail's hash chain; exit 1 at the
first broken link. ``fangkong audit grant-app-role ROLE``: on PostgreSQL, grant
a role that does not own the tables what the app needs, and on the audit trail
only SELECT and INSERT (docs/operations.md)."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from fangkong.audit.chain import TABLE, first_break


def grant_statements(role: str) -> list[str]:
    """What the app role needs: read and write every table but the audit
    trail, which it may only read and append to; use the sequences."""
    r = connection.ops.quote_name(role)
    return [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"REVOKE ALL ON {TABLE} FROM {r}",
        f"GRANT SELECT, INSERT ON {TABLE} TO {r}",
    ]


class Command(BaseCommand):
    help = "The audit trail: verify its hash chain; grant an app role on PostgreSQL."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("verify", help="check every entry's hash; exit 1 at the first broken link")
        grant = sub.add_parser("grant-app-role", help="PostgreSQL: grant ROLE what the app needs, the audit "
                                                      "trail only SELECT and INSERT (run as the tables' owner)")
        grant.add_argument("role")
        grant.add_argument("--print", action="store_true", dest="print_only", help="print the SQL, do not run it")

    def handle(self, *args, op, **options):
        if op == "verify":
            return self._verify()
        return self._grant(options["role"], options["print_only"])

    def _verify(self):
        broken, checked = first_break()
        if broken is None:
            self.stdout.write(f"audit trail intact: {checked} entries, every link verified")
            return
        at = timezone.localtime(broken.at).strftime("%Y-%m-%d %H:%M:%S")
        self.stderr.write(f"audit trail broken at entry id={broken.id} (time {at}): its hash does not follow from "
                          f"the entry before it (the entry was changed, or one before it removed or inserted); "
                          f"{checked - 1} entries before it verified")
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
