"""The measurements. Runs inside a process whose environment points Django at one
benchmark database (see databases.environment); run.py starts one per database.

Each case returns Figure records; run.py prints them and the summary table."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from databases import PROJECT

FULL_CITY = 1_570_000
SEED = 2020
PAGE = 50

# Targets for the whole city (docs/architecture.md, "Scale"). The load targets scale with
# the population (see load_target) so that --quick remains a meaningful check.
LOAD_TARGET_S = {"sqlite": 180.0, "postgres": 60.0}
RSS_TARGET_MIB = 2048.0
ID_LOOKUP_P95_MS = 20.0
NAME_SEARCH_P95_MS = 100.0
LIST_PAGE_P95_MS = 150.0
SEARCH_BUDGET_S = 90.0  # per user: stop repeating searches that are this slow in total
STARTUP_ALLOWANCE_S = 10.0  # process start, system checks and the division counts rebuild (size-independent)

# Searches people type: full pinyin, pinyin prefixes, initials, Chinese names.
NAME_QUERIES = [
    "zhang",
    "wang",
    "li",
    "liu",
    "zhao",
    "chen",
    "zhangw",
    "wangj",
    "liux",
    "zs",
    "wj",
    "lxm",
    "zjg",
    "王",
    "张",
    "李秀",
    "张伟",
    "刘建",
    "郭",
]


@dataclass
class Figure:
    db: str
    name: str  # the case (load, id_lookup, name_search, person_list)
    label: str
    value: float
    unit: str
    target: float
    higher_is_better: bool = False
    detail: str = ""

    @property
    def ratio(self) -> float:
        if self.higher_is_better:
            return self.target / self.value if self.value else float("inf")
        return self.value / self.target

    @property
    def passed(self) -> bool:
        return self.value >= self.target if self.higher_is_better else self.value < self.target

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn, repeat_items, warmup: int = 3) -> list[float]:
    """Milliseconds per call of fn(item), after a few warm-up calls."""
    for item in repeat_items[:warmup]:
        fn(item)
    samples = []
    for item in repeat_items:
        t = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def summary_ms(samples: list[float]) -> str:
    return (
        f"n={len(samples)} p50={percentile(samples, 50):.1f} ms p95={percentile(samples, 95):.1f} ms "
        f"max={max(samples):.1f} ms"
    )


def say(text: str) -> None:
    print(text, flush=True)


# ------------------------------------------------------------------ setup


def django_setup() -> None:
    import logging

    import django

    sys.path.insert(0, str(PROJECT / "src"))
    django.setup()
    from django.conf import settings

    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns without it


def prepare_schema() -> None:
    """Migrations, the real Hebi division codes, and grids in every community."""
    from django.core.management import call_command

    from fangkong.regions.models import Division
    from fangkong.regions.services import grids_generate

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("divisions", "import", "hebi", verbosity=0)
    made = grids_generate(seed=SEED)
    say(
        f"  schema, divisions and {made} grids ready in {time.perf_counter() - t:.1f} s "
        f"({Division.objects.filter(level='community').count()} communities)"
    )


def population_size() -> int:
    from fangkong.people.models import Person

    return Person.objects.count()


# ------------------------------------------------------------------ (a) load


def load_target(db: str, persons: int) -> float:
    full = LOAD_TARGET_S[db]
    if persons >= FULL_CITY:
        return full * persons / FULL_CITY
    return full * persons / FULL_CITY + STARTUP_ALLOWANCE_S


def case_load(db: str, persons: int, env: dict[str, str], workers: int | None) -> list[Figure]:
    """`fangkong generate` in a child process: wall time and the child's peak RSS."""
    cmd = [sys.executable, "-m", "fangkong.cli", "generate", "--persons", str(persons), "--seed", str(SEED)]
    if workers:
        cmd += ["--workers", str(workers)]
    say(f"  $ fangkong generate --persons {persons} --seed {SEED}" + (f" --workers {workers}" if workers else ""))
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in proc.stdout:
        output.append(line)
        if "W040" in line or "HINT" in line or "System check" in line or "WARNINGS" in line or not line.strip():
            continue
        say("    " + line.rstrip())
    # wait4: this child's own rusage, the maximum RSS over it and the workers it reaped.
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"generate failed ({proc.returncode}):\n" + "".join(output[-30:]))
    rss_mib = usage.ru_maxrss / 1024  # Linux: KiB
    text = "".join(output)
    m = re.search(r"in ([\d.]+) s \(([\d,]+) persons/s, (\d+) generator", text)
    inner = f"; generate+load {m.group(1)} s ({m.group(2)} persons/s, {m.group(3)} generator processes)" if m else ""
    cpu = usage.ru_utime + usage.ru_stime
    return [
        Figure(
            db,
            "load",
            f"generate + load {persons:,} persons",
            wall,
            "s",
            load_target(db, persons),
            detail=f"whole command incl. start-up and counts rebuild{inner}; CPU {cpu:.0f} s (this "
            f"process tree, not the database server); load average {load_before:.1f} → "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        ),
        Figure(db, "load", "peak RSS of the load (largest process)", rss_mib, "MiB", RSS_TARGET_MIB),
    ]


# ------------------------------------------------------------------ users


def bench_users():
    """An HQ officer, a county officer (淇滨区) and a grid worker at 清华园社区."""
    from fangkong.accounts.models import Assignment, User

    def user(username, role, code):
        u, _ = User.objects.get_or_create(username=username, defaults={"full_name": username})
        Assignment.objects.get_or_create(user=u, role=role, division_id=code)
        return User.objects.get(pk=u.pk)  # fresh: no cached assignments

    return {
        "hq": user("bench_hq", "hq", "4106"),
        "county": user("bench_qibin", "county", "410611"),
        "grid": user("bench_qinghuayuan", "grid", "410611005007"),
    }


# ------------------------------------------------------------------ (b) exact ID lookup


def known_numbers(n: int, seed: int = 1) -> list[str]:
    """ID numbers of n random registered persons (decrypted from the registry)."""
    from django.db.models import Max, Min

    from fangkong.lib import vault
    from fangkong.people.models import Person

    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    rng = random.Random(seed)
    ids = rng.sample(range(bounds["lo"], bounds["hi"] + 1), min(n, bounds["hi"] - bounds["lo"] + 1))
    ciphers = Person.objects.filter(pk__in=ids).values_list("doc_cipher", flat=True)
    numbers = [vault.decrypt(c) for c in ciphers]
    rng.shuffle(numbers)
    return numbers


def first_page(user, **filters):
    from fangkong.people.selectors import PersonFilters, person_list

    return list(person_list(user=user, filters=PersonFilters(**filters))[:PAGE])


def case_id_lookup(db: str, users, quick: bool) -> list[Figure]:
    numbers = known_numbers(300)
    hq = users["hq"]
    misses = sum(1 for n in numbers[:20] if len(first_page(hq, q=n)) != 1)
    if misses:
        raise SystemExit(f"ID lookup found the wrong number of persons for {misses} of 20 known numbers")
    samples = timed(lambda number: first_page(hq, q=number), numbers)
    return [
        Figure(
            db,
            "id_lookup",
            "exact ID lookup, HQ, first page p95",
            percentile(samples, 95),
            "ms",
            ID_LOOKUP_P95_MS,
            detail=summary_ms(samples),
        )
    ]


# ------------------------------------------------------------------ (c) name / pinyin search


def case_name_search(db: str, users, quick: bool) -> list[Figure]:
    rng = random.Random(2)
    figures = []
    for key, who in (("hq", "HQ (whole city)"), ("grid", "grid worker (清华园社区)")):
        user = users[key]
        queries = NAME_QUERIES * 8
        rng.shuffle(queries)
        per_query: dict[str, list[float]] = {}

        def run(q, user=user, per_query=per_query):
            t = time.perf_counter()
            first_page(user, q=q)
            per_query.setdefault(q, []).append((time.perf_counter() - t) * 1000)

        for q in NAME_QUERIES:  # warm up every query once
            first_page(user, q=q)
        budget = time.perf_counter() + SEARCH_BUDGET_S
        for i, q in enumerate(queries):
            run(q)
            if time.perf_counter() > budget and i >= len(NAME_QUERIES):
                break  # slow searches: a random subset is enough for the p95
        samples = [s for v in per_query.values() for s in v]
        worst = sorted(per_query.items(), key=lambda kv: -percentile(kv[1], 95))[:3]
        detail = (
            summary_ms(samples) + "; slowest: " + ", ".join(f"{q!r} p95 {percentile(v, 95):.0f} ms" for q, v in worst)
        )
        figures.append(
            Figure(
                db,
                "name_search",
                f"name/pinyin search, {who}, first page p95",
                percentile(samples, 95),
                "ms",
                NAME_SEARCH_P95_MS,
                detail=detail,
            )
        )
    return figures


# ------------------------------------------------------------------ (d) person list page over HTTP


def case_person_list(db: str, users, quick: bool) -> list[Figure]:
    from django.test import Client

    client = Client()
    client.force_login(users["county"])
    figures = []
    for path, what in (
        ("/people/?division=410611", "county list, ?division=410611"),
        ("/people/", "county list, /people/"),
        ("/people/?q=zhang", "county search page, ?q=zhang"),
    ):

        def get(_i, path=path):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"GET {path} → {response.status_code}")

        samples = timed(get, list(range(60)), warmup=5)
        figures.append(
            Figure(
                db,
                "person_list",
                f"{what}, page 1 p95 (HTTP)",
                percentile(samples, 95),
                "ms",
                LIST_PAGE_P95_MS,
                detail=summary_ms(samples),
            )
        )
    return figures


QUERY_CASES = {"id_lookup": case_id_lookup, "name_search": case_name_search, "person_list": case_person_list}
