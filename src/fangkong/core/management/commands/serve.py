"""``fangkong serve``: the production server (gunicorn) plus the background task
worker (django-tasks database backend), both stopped together on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Fangkong with gunicorn and run the background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("FANGKONG_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("FANGKONG_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("FANGKONG_WORKERS", "3")))
        # Two threads per worker: a slow phone connection or an export does not
        # hold a whole worker, and on two cores four threads per worker cost
        # about a quarter more CPU per request in lock contention
        # (benchmarks/README.md, "Server settings").
        parser.add_argument("--threads", type=int, default=int(os.environ.get("FANGKONG_THREADS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, host, port, workers, threads, no_worker, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        procs: list[subprocess.Popen] = []
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangkong.settings"}
        if not no_worker:
            procs.append(subprocess.Popen([sys.executable, "-m", "fangkong.cli", "db_worker",
                                           "--interval", "1"], env=env))
        procs.append(subprocess.Popen([
            sys.executable, "-m", "gunicorn", "fangkong.wsgi:application",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
            "--timeout", "120", "--graceful-timeout", "10", "--access-logfile", "-",
            # gunicorn 27 opens its control socket at one fixed path per machine:
            # a second instance (or `gunicornc`) could then stop this one.
            "--no-control-socket",
            # The access log prints paths only; querystrings may carry a searched number.
            "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ], env=env))
        self.stdout.write(self.style.SUCCESS(f"Fangkong is serving on http://{host}:{port}/  (Ctrl-C stops)"))

        def stop(*_):
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
