"""``fangkong generate --persons N --seed S``: a deterministic synthetic population.

Spreads N generated persons in households over every village/community under
``--prefix`` (default 4106, all of Hebi), in their grids where they have any.
The same seed over the same divisions gives the same people. Refuses to run when
the registry already holds persons unless ``--append`` is given, so re-running
``fangkong demo`` never doubles the city. See fangkong.people.generator."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from fangkong.audit.services import record
from fangkong.lib.codes import is_code
from fangkong.people.loader import LoadError, populate
from fangkong.people.models import Person
from fangkong.regions.services import division_counts_rebuild


class Command(BaseCommand):
    # A data tool, run by `demo` right after `migrate`: the system checks add a
    # second of start-up and nothing this command depends on.
    requires_system_checks = ()
    help = (
        "Generate a deterministic population (generated people only) over the villages/communities "
        "under --prefix. Refuses if persons exist, unless --append."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--persons", type=int, default=30_000, help="how many persons (default 30000; the whole of Hebi is 1570000)"
        )
        parser.add_argument("--seed", type=int, default=2020, help="same seed, same people (default 2020)")
        parser.add_argument("--prefix", default="4106", help="division code to populate (default 4106, Hebi)")
        parser.add_argument(
            "--append", action="store_true", help="add to an existing registry (numbers already registered are skipped)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="generator processes (default: 1 below 100000 persons, else up to 4)",
        )
        parser.add_argument("--batch", type=int, default=25_000, help="persons per batch (default 25000)")

    def handle(self, *args, persons, seed, prefix, append, workers, batch, **opts):
        if persons < 1:
            raise CommandError("--persons must be at least 1")
        if not is_code(prefix):
            raise CommandError(f"--prefix {prefix!r} is not a division code")
        existing = Person.objects.count()
        if existing and not append:
            raise CommandError(f"the registry already holds {existing} persons; pass --append to add {persons} more")
        out = self.stdout
        verbosity = opts.get("verbosity", 1)

        def progress(done: int, total: int, seconds: float) -> None:
            if verbosity >= 1:
                rate = done / seconds if seconds > 0 else 0
                out.write(f"  {done:>10,} / {total:,} persons  {rate:>9,.0f} persons/s  {seconds:6.1f} s")
                out.flush()

        def notice(text: str) -> None:
            if verbosity >= 1:
                out.write("  " + text)

        try:
            result = populate(
                persons=persons,
                seed=seed,
                prefix=prefix,
                append=append,
                workers=workers,
                batch_persons=batch,
                progress=progress,
                notice=notice,
            )
        except LoadError as exc:
            raise CommandError(str(exc)) from None
        started = time.perf_counter()
        division_counts_rebuild()
        if verbosity >= 1:
            out.write(f"  division counts rebuilt in {time.perf_counter() - started:.1f} s")
        record(
            None,
            "import",
            object_type="people.person",
            division_code=prefix,
            detail={
                "generated": result.persons,
                "seed": seed,
                "households": result.households,
                "prefix": prefix,
                "append": append,
            },
        )
        if verbosity >= 1:
            out.write(
                self.style.SUCCESS(
                    f"generated {result.persons:,} persons in {result.households:,} households "
                    f"({result.persons / max(1, result.households):.2f} per household) under {prefix} "
                    f"in {result.seconds:.1f} s ({result.persons / max(result.seconds, 1e-9):,.0f} persons/s, "
                    f"{result.workers} generator process{'es' if result.workers > 1 else ''})"
                )
            )
