"""``fangkong demo``: set up the Hebi demo city and serve it.

Migrates, imports the real Hebi division codes, splits communities into grids,
generates a deterministic population, creates one account per role, plays a
slice of the arrivals flow through the services (fangkong.demo_flow), prints
the accounts, then starts the production server. Running it again reuses what
exists."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from fangkong.accounts.models import Assignment, User
from fangkong.accounts.roles import Role
from fangkong.demo_flow import seed_arrivals_flow
from fangkong.people.models import Person
from fangkong.regions.models import Division
from fangkong.regions.services import division_counts_rebuild, grids_generate

# username, full name, role, division code, description
DEMO_ACCOUNTS = [
    ("hq", "王指挥", Role.HQ, "4106", "鹤壁市疫情防控指挥部"),
    ("qibin", "李县区", Role.COUNTY, "410611", "淇滨区"),
    ("taishanlu", "赵街道", Role.TOWNSHIP, "410611005", "淇滨区 泰山路街道"),
    ("qinghuayuan", "张网格", Role.GRID, "410611005007", "泰山路街道 清华园社区"),
    ("qinghuayuan2", "张组长", Role.GRID, "410611005007", "清华园社区（两人审批的第二人）"),
    ("ximazhuang", "刘网格", Role.GRID, "410621002216", "浚县 西马庄村"),
    ("checkpoint", "陈卡点", Role.CHECKPOINT, "410611", "淇滨区卡点"),
    ("clinic", "孙医生", Role.CLINIC, "410611", "淇滨区发热门诊"),
    ("inspector", "周督查", Role.INSPECTOR, "4106", "市督查组"),
    ("admin", "吴管理", Role.ADMIN, "4106", "系统管理员（也可登录 /admin/）"),
]


def demo_accounts_ensure(password: str) -> list[tuple[str, str, str, str]]:
    """Create the demo accounts if missing (passwords are reset to the demo one)."""
    rows = []
    with transaction.atomic():
        for username, full_name, role, code, desc in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
            if created or not user.check_password(password):
                user.set_password(password)
            user.full_name = full_name
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
            Assignment.objects.get_or_create(user=user, role=role, division_id=code)
            rows.append((username, str(Role(role).label), code, desc))
    return rows


class Command(BaseCommand):
    help = "Set up the Hebi demo city (idempotent) and serve it on http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=30000, help="population size if none exists yet")
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument("--no-serve", action="store_true", help="set up only")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, persons, seed, no_serve, port, **opts):
        out = self.stdout
        out.write("==> migrating the database")
        call_command("migrate", interactive=False, verbosity=0)
        out.write("==> importing Hebi's division codes")
        call_command("divisions", "import", "hebi")
        made = grids_generate(seed=seed)
        out.write(f"==> grids: {made} new, {Division.objects.filter(level='grid').count()} in all")
        if not Person.objects.exists():
            out.write(f"==> generating {persons} demo persons (seed {seed})")
            call_command("generate", persons=persons, seed=seed)
        else:
            out.write(f"==> population exists: {Person.objects.count()} persons (kept)")
        division_counts_rebuild()
        password = settings.FANGKONG_DEMO_PASSWORD
        rows = demo_accounts_ensure(password)
        out.write("==> the arrivals flow: checkpoints, passages, arrivals, follow-ups")
        seed_arrivals_flow(seed=seed, stdout=out)
        out.write("")
        out.write(self.style.SUCCESS(f"Demo accounts (password for all: {password})"))
        out.write(f"  {'username':<13} {'role':<16} {'division':<14} where")
        for username, role, code, desc in rows:
            out.write(f"  {username:<13} {role:<16} {code:<14} {desc}")
        out.write("")
        if not no_serve:
            call_command("serve", port=port)
