#!/usr/bin/env python
"""Fangkong benchmarks: one command, figures with their targets, PASS/MISS.

    .venv/bin/python benchmarks/run.py [--quick] [--only NAME[,NAME]] [--db sqlite|postgres|both]

Cases: load (generate + load the whole city), id_lookup, name_search, person_list.
Each database gets its own fresh database (var/bench/fangkong_bench.sqlite3, and
PostgreSQL database fangkong_bench, created and dropped here) and its own process,
since Django reads the database from the environment. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import databases  # noqa: E402  (after the sys.path line above)

CASES = ("load", "id_lookup", "name_search", "person_list")
QUICK_PERSONS = 50_000


def _followups_argv(args) -> list[str]:
    return ["--persons", str(max(1000, round(1_071_429 * args.persons / 1_570_000)))]


def _passages_argv(args) -> list[str]:
    return ["--seconds", "15", "--api-seconds", "5", "--batch-seconds", "10"] if args.quick else []


def _passages_figures(raw: dict) -> list[dict]:
    """passages.py writes one dict of figures; turn it into Figure records."""
    t = raw.get("targets", {})
    detail = f"p50 {raw.get('p50_ms', 0):.1f} ms, p95 {raw.get('p95_ms', 0):.1f} ms, errors {raw.get('errors')}"
    return [
        {
            "db": "postgres",
            "name": "passages",
            "label": "passage registration over HTTP (phones)",
            "value": raw["registration_rate"],
            "unit": "/s",
            "target": t.get("rate", 300),
            "higher_is_better": True,
            "detail": detail,
        },
        {
            "db": "postgres",
            "name": "passages",
            "label": "passage registration p99 (HTTP)",
            "value": raw["p99_ms"],
            "unit": "ms",
            "target": t.get("p99_ms", 200),
            "higher_is_better": False,
            "detail": detail,
        },
        {
            "db": "postgres",
            "name": "passages",
            "label": "passage batch upload (API)",
            "value": raw["batch_rate"],
            "unit": "/s",
            "target": t.get("batch_rate", 1500),
            "higher_is_better": True,
            "detail": f"batch errors {raw.get('batch_errors')}",
        },
    ]


# Other apps' benchmarks, each a script that sets up and drops its own PostgreSQL
# database and writes its figures with --json FILE: name → (script, argv, adapter).
EXTRA = {
    "followups": (HERE / "followups.py", _followups_argv, None),
    "passages": (HERE / "passages.py", _passages_argv, _passages_figures),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help=f"{QUICK_PERSONS:,} persons instead of the whole city")
    p.add_argument("--only", default="", help=f"comma-separated cases: {', '.join([*CASES, *EXTRA])}")
    p.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--persons", type=int, default=None, help="population size (default 1570000, --quick 50000)")
    p.add_argument("--workers", type=int, default=None, help="generator processes for the load (default: auto)")
    p.add_argument("--keep", action="store_true", help="keep the benchmark databases afterwards")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a kept benchmark database that already holds the population (skips the load)",
    )
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.persons = args.persons or (QUICK_PERSONS if args.quick else 1_570_000)
    available = [*CASES, *(name for name, (script, _argv, _adapt) in EXTRA.items() if script.exists())]
    args.cases = [c.strip() for c in args.only.split(",") if c.strip()] or available
    unknown = set(args.cases) - set(available)
    if unknown:
        p.error(f"unknown case(s): {', '.join(sorted(unknown))}; choose from {', '.join(available)}")
    return args


# ------------------------------------------------------------------ inside one database's process


def worker(args) -> None:
    import cases

    cases.django_setup()
    db = args.worker
    figures = []
    existing = cases.population_size() if args.reuse else 0
    if args.reuse and existing:
        cases.say(f"  reusing the population of {existing:,} persons")
        if "load" in args.cases:
            cases.say("  (load not measured: --reuse)")
    else:
        cases.prepare_schema()
        figures += cases.case_load(db, args.persons, databases.environment(db), args.workers)
        if "load" not in args.cases:
            figures = []
    users = cases.bench_users()
    for name in args.cases:
        if name in cases.QUERY_CASES:
            cases.say(f"  {name} …")
            got = cases.QUERY_CASES[name](db, users, args.quick)
            for f in got:
                f.detail += f"; load average {os.getloadavg()[0]:.1f}"
                cases.say(f"    {f.label}: {f.value:.1f} {f.unit}  ({f.detail})")
            figures += got
    Path(args.out).write_text(json.dumps([f.as_dict() for f in figures]))


# ------------------------------------------------------------------ the orchestrating process


def run_database(db: str, args) -> list[dict]:
    print(f"\n=== {db} ===", flush=True)
    if db == "postgres" and not databases.postgres_available():
        print(f"  PostgreSQL at {databases.POSTGRES_URL} does not answer: skipped", flush=True)
        return []
    if not (args.reuse and databases.exists(db)):
        databases.create(db)
        args_reuse = False
    else:
        args_reuse = True
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    cmd = [
        sys.executable,
        str(HERE / "run.py"),
        "--worker",
        db,
        "--out",
        out,
        "--persons",
        str(args.persons),
        "--only",
        ",".join(c for c in args.cases if c in CASES),
    ]
    if args.quick:
        cmd.append("--quick")
    if args_reuse:
        cmd.append("--reuse")
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    try:
        rc = subprocess.call(cmd, env=databases.environment(db), cwd=databases.PROJECT)
        if rc != 0:
            print(f"  {db}: benchmark process failed ({rc})", flush=True)
            return []
        return json.loads(Path(out).read_text())
    finally:
        Path(out).unlink(missing_ok=True)
        if not args.keep:
            databases.drop(db)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _ljust(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-1]
    return text + " " * (width - _width(text))


def run_extra(name: str, args) -> list[dict]:
    """Another app's benchmark script, in its own process (it sets up its own database)."""
    script, argv, adapt = EXTRA[name]
    print(f"\n=== {name} (postgres) ===", flush=True)
    if not databases.postgres_available():
        print("  PostgreSQL does not answer: skipped", flush=True)
        return []
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    try:
        cmd = [sys.executable, str(script), *argv(args), "--json", out]
        rc = subprocess.call(cmd, env=databases.environment("postgres"), cwd=databases.PROJECT)
        try:
            raw = json.loads(Path(out).read_text() or "null")
        except ValueError:
            raw = None
        if not raw:
            print(f"  {name}: no figures (exit status {rc})", flush=True)
            return []
        return adapt(raw) if adapt else raw
    finally:
        Path(out).unlink(missing_ok=True)


def print_summary(results: list[dict], args, started: float) -> None:
    import cases

    fields = set(cases.Figure.__dataclass_fields__)
    figures = [cases.Figure(**{k: v for k, v in r.items() if k in fields}) for r in results]
    print("\n" + "=" * 112)
    print(
        f"Fangkong benchmarks — {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{args.persons:,} persons{' (--quick)' if args.quick else ''}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {time.perf_counter() - started:.0f} s"
    )
    print("-" * 112)
    print(f"{'db':<9}{'figure':<58}{'value':>12}{'target':>12}{'ratio':>8}  result")
    print("-" * 112)
    for f in figures:
        unit = f.unit
        value = f"{f.value:,.1f} {unit}"
        target = f"{'≥' if f.higher_is_better else '<'}{f.target:,.0f} {unit}"
        print(
            f"{f.db:<9}{_ljust(f.label, 57)} {value:>12}{target:>12}{f.ratio:>8.2f}  {'PASS' if f.passed else 'MISS'}"
        )
    print("-" * 112)
    missed = [f for f in figures if not f.passed]
    print(
        f"{len(figures) - len(missed)} PASS, {len(missed)} MISS  "
        "(ratio = figure / target, or target / figure for a throughput; below 1 passes)"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    started = time.perf_counter()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: list[dict] = []
    for db in dbs:
        if set(args.cases) & set(CASES):
            results += run_database(db, args)
    if "postgres" in dbs:
        for name in EXTRA:
            if name in args.cases:
                results += run_extra(name, args)
    print_summary(results, args, started)
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (results_dir / f"{stamp}{'-quick' if args.quick else ''}.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
