"""``fangkong serve``: the production server (gunicorn) plus the background task
worker (django-tasks database backend) and the audit trail's sealer
(``fangkong audit seal --every 60``), all stopped together on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


def gunicorn_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The gunicorn command line of ``fangkong serve`` (hooks and the log class
    are in ``fangkong.core.gunicorn_conf``; docs/operations.md explains them)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "fangkong.wsgi:application",
        "--config",
        "python:fangkong.core.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        # The heartbeat timeout: catches a worker whose main loop is stuck. A
        # request stuck in a thread is caught by gunicorn_conf's watchdog
        # (FANGKONG_REQUEST_TIMEOUT), which gunicorn's own timeout never sees.
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        # Each worker is replaced after about this many requests, so whatever a
        # worker accumulates (memory, a leaked thread) does not live for ever;
        # the jitter keeps the workers from restarting all at once.
        "--max-requests",
        os.environ.get("FANGKONG_MAX_REQUESTS", "2000"),
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        # gunicorn 27 opens its control socket at one fixed path per machine:
        # a second instance (or `gunicornc`) could then stop this one.
        "--no-control-socket",
        # The access log prints paths only; querystrings may carry a searched
        # number. Paths are masked and escaped by gunicorn_conf.SafeLogger.
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
    ]


class Command(BaseCommand):
    help = "Serve Fangkong with gunicorn and run the background task worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("FANGKONG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("FANGKONG_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FANGKONG_WORKERS", "3")))
        # Two threads per worker: a slow phone connection or an export does not
        # hold a whole worker, and on two cores four threads per worker cost
        # about a quarter more CPU per request in lock contention
        # (benchmarks/README.md, "Server settings").
        parser.add_argument("--threads", type=int, default=int(os.environ.get("FANGKONG_THREADS", "2")))
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the task worker nor the audit sealer"
        )

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, no_worker: bool, **opts: Any
    ) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        procs: list[subprocess.Popen[bytes]] = []
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangkong.settings"}
        if not no_worker:
            procs.append(
                subprocess.Popen([sys.executable, "-m", "fangkong.cli", "db_worker", "--interval", "1"], env=env)
            )
            # Seals audit entries whose process died before sealing them (audit/chain.py).
            procs.append(
                subprocess.Popen([sys.executable, "-m", "fangkong.cli", "audit", "seal", "--every", "60"], env=env)
            )
        procs.append(
            subprocess.Popen(gunicorn_command(host=host, port=port, workers=workers, threads=threads), env=env)
        )
        self.stdout.write(self.style.SUCCESS(f"Fangkong is serving on http://{host}:{port}/  (Ctrl-C stops)"))

        def stop(*_: Any) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                try:
                    procs[-1].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
