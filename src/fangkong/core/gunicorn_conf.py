"""gunicorn configuration used by ``fangkong serve`` (``--config
python:fangkong.core.gunicorn_conf``); the numbers are on the command line there.

Two things gunicorn does not do by itself for the gthread worker:

- **Safe log lines.** ``SafeLogger`` runs every access-log and error-log record
  through ``core.logging.RedactPersonalData``: ID- and phone-like numbers in a
  URL path are masked and control characters (a ``%0A`` in a path) escaped.
- **A request time budget that fires.** gunicorn's ``--timeout`` watches the
  worker's heartbeat, which the gthread worker's main loop keeps beating while
  one of its threads hangs in a request: it never fires for a stuck request. A
  watchdog thread in each worker checks the requests in flight; when one has
  run longer than ``FANGKONG_REQUEST_TIMEOUT`` seconds the worker stops taking
  new connections, gives the worker's other requests ``graceful_timeout``
  seconds to finish, logs why and exits; the arbiter starts a fresh worker.
  (A Python thread cannot be stopped from outside: replacing the process is the
  only way to get the thread back.)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from gunicorn.glogging import Logger

from fangkong.core.logging import RedactPersonalData

# Exit status of a worker replaced because a request overran its budget.
OVERRUN_EXIT = 75


class SafeLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints: Logger is Any
    """gunicorn's logger with the app's redaction filter on both its loggers."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactPersonalData) for f in log.filters):
                log.addFilter(RedactPersonalData())


logger_class = SafeLogger


def request_timeout() -> float:
    return float(os.environ.get("FANGKONG_REQUEST_TIMEOUT", "120"))


def post_worker_init(worker: Any) -> None:
    worker.fk_in_flight = {}  # thread id → monotonic start of its current request
    worker.fk_lock = threading.Lock()
    threading.Thread(target=_watch, args=(worker, request_timeout()), name="fangkong-watchdog", daemon=True).start()


def pre_request(worker: Any, req: Any) -> None:
    if hasattr(worker, "fk_in_flight"):
        with worker.fk_lock:
            worker.fk_in_flight[threading.get_ident()] = time.monotonic()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    if hasattr(worker, "fk_in_flight"):
        with worker.fk_lock:
            worker.fk_in_flight.pop(threading.get_ident(), None)


def _watch(worker: Any, budget: float, tick: float = 1.0) -> None:
    log = worker.log
    while True:
        time.sleep(tick)
        now = time.monotonic()
        with worker.fk_lock:
            overran = [t for t, started in worker.fk_in_flight.items() if now - started > budget]
        if not overran:
            continue
        log.error(
            "worker %s: a request has run for more than %ss; the worker stops taking requests and is replaced",
            worker.pid,
            f"{budget:g}",
        )
        worker.alive = False  # the worker's loop stops accepting and winds down
        deadline = time.monotonic() + max(worker.cfg.graceful_timeout, 1)
        while time.monotonic() < deadline:
            with worker.fk_lock:
                others = [t for t in worker.fk_in_flight if t not in overran]
            if not others:
                break
            time.sleep(0.2)
        for handler in logging.getLogger("gunicorn.error").handlers:
            handler.flush()
        os._exit(OVERRUN_EXIT)  # the stuck thread cannot be joined; the arbiter starts a new worker
