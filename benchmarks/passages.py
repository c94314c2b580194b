#!/usr/bin/env python
"""Benchmark: registering checkpoint passages over HTTP on PostgreSQL.

What it measures, against the production server (gunicorn, as ``fangkong
serve`` runs it) on a fresh database it creates and drops:

1. **Passage registration from the phone page**, sustained (default 60 s):
   every client logs in through the login page, then posts the registration
   form again and again as the page's script does (htmx: the answer is the
   result the phone shows and the next client key, so one request is the
   whole registration) — CSRF, session, validation (ID number checksum,
   phone, plate, origin, destination, temperature), encryption and blind
   index, risk-area flags, the audit trail and, for an inbound passage, the
   destination community's arrival, all in the request. Target: ≥ 300
   passages/s with p99 < 200 ms.
2. **Batch upload** from an offline tablet: the JSON API, 500 passages per
   call, bearer token. Target: ≥ 1,500 passages/s.
3. **The floor**: the same rows inserted into a copy of the passage table
   (same indexes) as plain single-row INSERTs, one transaction each, from one
   client. Registration is printed as a ratio to it.

The load generator is a few threads of ``http.client`` with keep-alive in
this process (loopback only, bounded in time); CPU use of the whole machine
is printed beside each phase, because on a 2-core machine the server, the
database and the load generator share it.

Run: ``.venv/bin/python benchmarks/passages.py`` (``--help`` for the knobs).
Needs PostgreSQL at ``--pg`` (default postgres://postgres@127.0.0.1:5432)."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fangkong.lib.documents import make_resident_id  # noqa: E402  (after the sys.path line above)

PASSWORD = "Bench-password-2020"
USERNAME = "bench_checkpoint"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰海燕鹏飞"
REGIONS = ["410611", "410602", "410621", "420102", "420106", "410102", "410105", "130102", "440305", "110105"]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"

TARGET_RATE = 300.0
TARGET_P99_MS = 200.0
TARGET_BATCH_RATE = 1500.0


# ---------------------------------------------------------------- the machine


def cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts), idle


class CpuMeter:
    def __enter__(self):
        self.start = cpu_times()
        return self

    def __exit__(self, *exc):
        total, idle = cpu_times()
        dt_total, dt_idle = total - self.start[0], idle - self.start[1]
        self.busy = 100.0 * (1 - dt_idle / dt_total) if dt_total else 0.0


_TICK = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_cpu(pids) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process."""
    out = {}
    for pid in pids:
        st = _proc_stat(pid)
        if st:
            out[pid] = (int(st[11]) + int(st[12])) / _TICK
    return out


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _proc_stat(int(name))
            if st:
                children.setdefault(int(st[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


class CpuAccount:
    """CPU seconds spent by the server (gunicorn and its workers), by the
    database backends serving the benchmark database, and by this load
    generator, over one phase: a per-passage cost that does not depend on
    what else runs on the machine (the wall-clock rate does)."""

    def __init__(self, server_pid: int, dsn: str, db: str):
        self.server_pid, self.dsn, self.db = server_pid, dsn, db

    def _backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.db,)
                )
            ]

    def __enter__(self):
        self.s0 = process_cpu(process_tree(self.server_pid))
        self.d0 = process_cpu(self._backends())
        self.last: dict[int, float] = dict(self.d0)
        self.g0 = time.process_time()
        self._stop = threading.Event()
        # Backends come and go (Django reconnects after CONN_MAX_AGE): sample
        # them every half second so a backend that exits still counts.
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.5):
            try:
                self.last.update(process_cpu(self._backends()))
            except Exception:  # noqa: BLE001 - a missed sample only loses precision
                pass

    def __exit__(self, *exc):
        self._stop.set()
        self._sampler.join()
        s1 = process_cpu(process_tree(self.server_pid))
        self.last.update(process_cpu(self._backends()))
        self.server = sum(v - self.s0.get(pid, 0.0) for pid, v in s1.items())
        self.database = sum(v - self.d0.get(pid, 0.0) for pid, v in self.last.items())
        self.generator = time.process_time() - self.g0

    def per(self, n: int) -> str:
        if not n:
            return "n/a"

        def ms(x: float) -> float:
            return 1000 * x / n

        return (
            f"server {ms(self.server):.2f} ms + database {ms(self.database):.2f} ms "
            f"(+ load generator {ms(self.generator):.2f} ms)"
        )

    def capacity(self, n: int, cores: int) -> float:
        """Passages/s that ``cores`` otherwise idle cores could serve at this cost."""
        cost = (self.server + self.database) / n if n else 0
        return cores / cost if cost else float("nan")


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- setup


def pg_admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


SETUP = r"""
import json
from fangkong.accounts.models import Assignment, User
from fangkong.accounts.services import token_create
from fangkong.checkpoints.services import checkpoint_create, risk_area_create
from fangkong.regions.models import Division
from fangkong.regions.services import divisions_import
from fangkong.regions.management.commands.divisions import BUNDLED_HEBI
from django.utils import timezone

divisions_import(source=BUNDLED_HEBI)
hq, _ = User.objects.get_or_create(username="bench_hq")
Assignment.objects.get_or_create(user=hq, role="hq", division_id="4106")
staff, _ = User.objects.get_or_create(username=USERNAME, defaults={"full_name": "卡点压测"})
staff.set_password(PASSWORD)
staff.save()
Assignment.objects.get_or_create(user=staff, role="checkpoint", division_id="410611")
cp = checkpoint_create(actor=hq, level="city", division_code="410611", name="鹤壁东站（压测）", kind="railway_station")
risk_area_create(actor=hq, origin_code="4201", level="high", starts_on=timezone.localdate())
_token, raw = token_create(user=staff, name="bench")
communities = list(Division.objects.filter(level="community", code__startswith="4106").values_list("code", flat=True))
print("BENCH-SETUP " + json.dumps({"checkpoint": cp.pk, "token": raw, "communities": communities}))
"""


def settle(dsn: str) -> None:
    """Vacuum the tables the previous phase wrote and flush them to disk, so
    that autovacuum and the checkpointer working off one phase's writes are not
    charged to the next phase (they run as backends of the same database)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) checkpoints_passage, screening_arrival, audit_auditentry")
        conn.execute("CHECKPOINT")


def run_setup(env: dict) -> dict:
    py = sys.executable
    subprocess.run([py, "-m", "fangkong.cli", "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    # As ``fangkong serve`` does before it starts gunicorn.
    subprocess.run([py, "-m", "fangkong.cli", "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    code = SETUP.replace("USERNAME", repr(USERNAME)).replace("PASSWORD", repr(PASSWORD))
    out = subprocess.run(
        [py, "-m", "fangkong.cli", "shell", "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH-SETUP "))
    return json.loads(line[len("BENCH-SETUP ") :])


def start_server(
    env: dict,
    port: int,
    workers: int,
    threads: int,
    log: Path,
    app: str = "fangkong.wsgi:application",
    probe: str = "GET /login/",
) -> subprocess.Popen:
    # The same server and flags as ``fangkong serve`` (core/management/commands/serve.py).
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        str(log),
        "--access-logformat",
        '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        # gunicorn ≥ 25 opens a control socket at one fixed path per user; another
        # gunicorn on the machine (a second benchmark, a dev server) must not be
        # able to stop this one through it.
        "--no-control-socket",
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(log.with_suffix(".err"), "w"),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            method, _, path = probe.partition(" ")
            c.request(method, path)
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not start; see " + str(log.with_suffix(".err")))


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# ---------------------------------------------------------------- traffic


class Traffic:
    """Realistic passages: 70 % inbound to a community of the city, 30 %
    outbound; 5 % feverish; some from the current risk area (武汉); most by
    car, a fifth of the cars new-energy."""

    ORIGINS = ["4101", "4105", "4107", "4108", "4201", "4202", "4403", "1101", "3101", "13", "4109", "41"]
    OUT_TO = ["河南省郑州市", "河南省新乡市", "河南省安阳市", "北京市", "湖北省武汉市"]
    PURPOSES = ["return_home", "visit", "work", "freight", "medical", "official"]

    def __init__(self, communities: list[str], seed: int, inbound: float = 0.7):
        self.inbound = inbound
        self.rng = random.Random(seed)
        self.communities = communities
        self.seq = 0
        self.lock = threading.Lock()

    def _doc(self) -> str:
        with self.lock:
            self.seq += 1
            n = self.seq
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=(n * 7919) % 20000)
        return make_resident_id(REGIONS[n % len(REGIONS)], birth, (n // 20000) % 1000)

    def passage(self) -> dict:
        r = self.rng
        inbound = r.random() < self.inbound
        temp = f"{r.uniform(37.3, 38.6):.1f}" if r.random() < 0.05 else f"{r.uniform(35.9, 37.1):.1f}"
        plate = ""
        if r.random() < 0.8:
            city = r.choice("FFFFFAGEHK")
            if r.random() < 0.2:
                plate = f"豫{city}{r.choice('DF')}{r.randrange(10**5):05d}"
            else:
                plate = f"豫{city}{r.choice(PLATE_LETTERS)}{r.randrange(10**4):04d}"
        return {
            "direction": "in" if inbound else "out",
            "doc_number": self._doc(),
            "name": r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2)))),
            "phone": f"13{r.randrange(10)}{r.randrange(10**8):08d}",
            "temperature": temp,
            "plate": plate,
            "origin": r.choice(self.ORIGINS) if inbound else "",
            "destination": r.choice(self.communities) if inbound else r.choice(self.OUT_TO),
            "purpose": r.choice(self.PURPOSES),
            "client_key": str(uuid.uuid4()),
        }


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    passages: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, ok: bool, passages: int = 1, error: str = ""):
        with self.lock:
            self.latencies.append(seconds)
            if ok:
                self.ok += 1
                self.passages += passages
            else:
                self.errors[error] = self.errors.get(error, 0) + 1

    def pct(self, p: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")


class Browser:
    """One phone: a keep-alive connection with its cookies."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        h.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection: reconnect and send
            # again (a registration carries its client key, so a resend is safe).
            self.conn.close()
            self.conn.request(method, path, body=body, headers=h)
            resp = self.conn.getresponse()
        data = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                k, _, rest = value.partition("=")
                self.cookies[k.strip()] = rest.split(";", 1)[0]
        return resp.status, resp.getheader("Location", ""), data

    def form(self, path: str, fields: dict, headers: dict | None = None):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        body = urllib.parse.urlencode(fields).encode()
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/", **(headers or {})},
        )

    def login(self):
        self.request("GET", "/login/")
        status, _location, _ = self.form("/login/", {"username": USERNAME, "password": PASSWORD, "next": "/"})
        if status != 302:
            raise SystemExit(f"login failed: HTTP {status}")


def register_forms(
    port: int,
    checkpoint: int,
    traffic: Traffic,
    clients: int,
    seconds: float,
    account: CpuAccount | None = None,
    carload: int = 1,
) -> tuple[Tally, list]:
    tally = Tally()
    path = f"/checkpoints/{checkpoint}/register/"
    browsers = []
    for _ in range(clients):
        b = Browser(port)
        b.login()
        b.request("GET", path)
        browsers.append(b)
    keys: list[str] = []
    start = deadline = 0.0

    def run(b: Browser):
        while time.perf_counter() < deadline:
            p = traffic.passage()
            fields = {
                **p,
                "plate_province": "豫",
                "destination_text": "",
                "passenger_count": str(carload - 1),
                "action": "register",
            }
            for i in range(carload - 1):  # the others in the vehicle: their own identity and temperature
                other = traffic.passage()
                fields.update(
                    {
                        f"p{i}_doc_number": other["doc_number"],
                        f"p{i}_name": other["name"],
                        f"p{i}_phone": other["phone"],
                        f"p{i}_temperature": other["temperature"],
                    }
                )
            t0 = time.perf_counter()
            try:
                # As the page's script sends it (htmx): the answer is the result
                # the phone shows, with the next client key — one request per
                # registration, nothing more to load.
                status, _location, body = b.form(path, fields, {"HX-Request": "true"})
            except (OSError, http.client.HTTPException) as exc:
                tally.add(time.perf_counter() - t0, False, error=type(exc).__name__)
                b.conn.close()
                continue
            ok = status == 200 and b'id="result"' in body and b"hx-swap-oob" in body
            tally.add(time.perf_counter() - t0, ok, passages=carload, error=f"HTTP {status}")
            if ok:
                keys.append(p["client_key"])

    threads = [threading.Thread(target=run, args=(b,)) for b in browsers]
    with CpuMeter() as cpu, account or _Null():
        start = time.perf_counter()
        deadline = start + seconds
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    tally.elapsed = time.perf_counter() - start
    tally.cpu = cpu.busy
    return tally, keys


def _drive(port: int, clients: int, seconds: float, account: CpuAccount | None, make, ok_status: int) -> Tally:
    """``clients`` keep-alive connections posting what ``make()`` returns —
    (path, body, headers) — for ``seconds``; a response with ``ok_status`` counts."""
    tally = Tally()
    start = deadline = 0.0

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            path, body, headers = make()
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as exc:
                tally.add(time.perf_counter() - t0, False, error=type(exc).__name__)
                conn.close()
                continue
            tally.add(time.perf_counter() - t0, resp.status == ok_status, error=f"HTTP {resp.status}")

    threads = [threading.Thread(target=run) for _ in range(clients)]
    with CpuMeter() as cpu, account or _Null():
        start = time.perf_counter()
        deadline = start + seconds
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    tally.elapsed = time.perf_counter() - start
    tally.cpu = cpu.busy
    return tally


def register_api(
    port: int,
    checkpoint: int,
    token: str,
    traffic: Traffic,
    clients: int,
    seconds: float,
    account: CpuAccount | None = None,
) -> Tally:
    """The same registrations from tablets online: the JSON API, bearer token."""
    path = f"/api/v1/checkpoints/{checkpoint}/passages"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return _drive(
        port, clients, seconds, account, lambda: (path, json.dumps(traffic.passage()).encode(), headers), ok_status=201
    )


def register_floor(
    port: int, traffic: Traffic, clients: int, seconds: float, account: CpuAccount | None = None
) -> Tally:
    """The same form posts to the bare WSGI floor (benchmarks/wsgi_floor.py)."""
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "Cookie": "sessionid=" + "s" * 32 + "; csrftoken=" + "c" * 32,
    }

    def make():
        fields = {
            **traffic.passage(),
            "plate_province": "豫",
            "destination_text": "",
            "passenger_count": "0",
            "action": "register",
            "csrfmiddlewaretoken": "x" * 64,
        }
        return "/", urllib.parse.urlencode(fields).encode(), headers

    return _drive(port, clients, seconds, account, make, ok_status=200)


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def upload_batches(
    port: int,
    checkpoint: int,
    token: str,
    traffic: Traffic,
    clients: int,
    seconds: float,
    size: int,
    account: CpuAccount | None = None,
) -> Tally:
    tally = Tally()
    path = f"/api/v1/checkpoints/{checkpoint}/passages/batch"
    start = time.perf_counter()
    deadline = start + seconds
    now = dt.datetime.now(dt.UTC)

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < deadline:
            items = []
            for _ in range(size):
                p = traffic.passage()
                p["registered_at"] = (now - dt.timedelta(minutes=traffic.rng.randrange(1, 600))).isoformat()
                items.append(p)
            body = json.dumps({"items": items}).encode()
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                tally.add(time.perf_counter() - t0, False, error=type(exc).__name__)
                conn.close()
                continue
            if resp.status != 200:
                tally.add(time.perf_counter() - t0, False, error=f"HTTP {resp.status}")
                continue
            elapsed = time.perf_counter() - t0
            result = json.loads(data)
            if result["error"]:
                bad = next(r for r in result["results"] if r["status"] == "error")
                with tally.lock:
                    key = f"item error {bad['errors']}"[:200]
                    tally.errors[key] = tally.errors.get(key, 0) + result["error"]
            tally.add(elapsed, True, passages=result["created"])

    threads = [threading.Thread(target=run) for _ in range(clients)]
    with CpuMeter() as cpu, account or _Null():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    tally.elapsed = time.perf_counter() - start
    tally.cpu = cpu.busy
    return tally


def plain_inserts(dsn: str, keys: list[str], seconds: float) -> tuple[int, float]:
    """The same rows, copied into a table like the passage table (same indexes),
    one single-row INSERT and commit each, from one client."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_plain_passage")
        conn.execute("CREATE TABLE bench_plain_passage (LIKE checkpoints_passage INCLUDING ALL)")
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'checkpoints_passage' "
                "AND column_name <> 'id' ORDER BY ordinal_position"
            )
        ]
        col_sql = ", ".join(cols)
        rows = conn.execute(f"SELECT {col_sql} FROM checkpoints_passage WHERE client_key = ANY(%s)", (keys,)).fetchall()
        sql = f"INSERT INTO bench_plain_passage ({col_sql}) VALUES ({', '.join(['%s'] * len(cols))})"
        n = 0
        start = time.perf_counter()
        deadline = start + seconds
        for row in rows:
            conn.execute(sql, row)
            n += 1
            if time.perf_counter() > deadline:
                break
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_plain_passage")
    return n, elapsed


def count_rows(dsn: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dsn) as conn:

        def q(sql):
            return conn.execute(sql).fetchone()[0]

        return {
            "passages": q("SELECT count(*) FROM checkpoints_passage"),
            "arrivals": q("SELECT count(*) FROM screening_arrival"),
            "audit": q("SELECT count(*) FROM audit_auditentry WHERE object_type = 'checkpoints.passage'"),
        }


# ---------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default=os.environ.get("FANGKONG_BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    ap.add_argument("--db", default="fangkong_bench_passages")
    ap.add_argument("--seconds", type=float, default=60.0, help="sustained registration phase (≥ 60)")
    ap.add_argument("--api-seconds", type=float, default=20.0, help="JSON API registration phase (0: skip)")
    ap.add_argument("--batch-seconds", type=float, default=30.0)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--batch-clients", type=int, default=2)
    ap.add_argument("--clients", type=int, default=8, help="concurrent phones")
    ap.add_argument(
        "--carload",
        type=int,
        default=1,
        choices=range(1, 13),
        metavar="N",
        help="people per registration (a vehicle registered in one go; default 1: one person each)",
    )
    ap.add_argument("--workers", type=int, default=3, help="gunicorn workers (fangkong serve's default: 3)")
    ap.add_argument("--threads", type=int, default=2, help="threads per worker (fangkong serve's default: 2)")
    ap.add_argument(
        "--inbound",
        type=float,
        default=0.7,
        help="share of inbound passages bound for a community (each queues an arrival)",
    )
    ap.add_argument(
        "--floor-seconds",
        type=float,
        default=20.0,
        help="the same registrations against a bare WSGI app with the same statements, no Django "
        "(benchmarks/wsgi_floor.py; 0: skip)",
    )
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    dsn = f"{args.pg}/{args.db}"
    var = Path(tempfile.mkdtemp(prefix="fangkong-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
        "FANGKONG_VAR_DIR": str(var),
        "FANGKONG_DEBUG": "0",
        "FANGKONG_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("FANGKONG_TESTING", None)
    print(f"== passages benchmark · {os.cpu_count()} CPUs · load average {loadavg()} · database {args.db}")
    pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{args.db}"')
    pg_admin(args.pg, f'CREATE DATABASE "{args.db}"')
    server = None
    try:
        t0 = time.perf_counter()
        setup = run_setup(env)
        print(
            f"   fresh database migrated and seeded in {time.perf_counter() - t0:.0f} s "
            f"({len(setup['communities'])} communities)"
        )
        port = free_port()
        log = var / "access.log"
        server = start_server(env, port, args.workers, args.threads, log)
        traffic = Traffic(setup["communities"], seed=2020, inbound=args.inbound)
        # Warm every worker up (imports, URL resolver, name dictionaries) before measuring.
        register_forms(port, setup["checkpoint"], traffic, args.clients, 8.0)

        cores = os.cpu_count() or 2
        print(
            f"-- registration: {args.clients} phones (login, then the registration form, {args.carload} "
            f"{'person' if args.carload == 1 else 'people'} each) for {args.seconds:.0f} s; "
            f"gunicorn {args.workers} workers × {args.threads} threads"
        )
        settle(dsn)
        acc = CpuAccount(server.pid, dsn, args.db)
        reg, keys = register_forms(
            port, setup["checkpoint"], traffic, args.clients, args.seconds, acc, carload=args.carload
        )
        rate = reg.passages / reg.elapsed
        p50, p95, p99 = reg.pct(0.50), reg.pct(0.95), reg.pct(0.99)
        reg_capacity = acc.capacity(reg.passages, cores)
        print(
            f"   {reg.passages} passages in {reg.ok} registrations, {reg.elapsed:.1f} s; errors: "
            f"{reg.errors or 'none'}; machine CPU {reg.cpu:.0f} %"
        )
        print(f"   CPU per passage: {acc.per(reg.passages)}")

        # Right after the registration phase, on tables of the same size: the
        # same form posts against the bare WSGI floor, then the server again.
        stop_server(server)
        server = None
        floor = None
        if args.floor_seconds > 0:
            print(
                f"-- the same form posts to a bare WSGI app doing the same statements and crypto without "
                f"Django (benchmarks/wsgi_floor.py), {args.clients} phones, {args.floor_seconds:.0f} s"
            )
            floor_env = {
                **env,
                "FLOOR_DSN": dsn,
                "FLOOR_CHECKPOINT": str(setup["checkpoint"]),
                "FLOOR_USERNAME": USERNAME,
                "PYTHONPATH": f"{ROOT / 'benchmarks'}:{env['PYTHONPATH']}",
            }
            server = start_server(
                floor_env, port, args.workers, args.threads, var / "floor.log", app="wsgi_floor:app", probe="POST /"
            )
            floor_traffic = Traffic(setup["communities"], seed=2021, inbound=args.inbound)
            register_floor(port, floor_traffic, args.clients, 3.0)  # warm up
            settle(dsn)
            floor_acc = CpuAccount(server.pid, dsn, args.db)
            floor = register_floor(port, floor_traffic, args.clients, args.floor_seconds, floor_acc)
            print(
                f"   {floor.ok} in {floor.elapsed:.1f} s ({floor.ok / floor.elapsed:.0f}/s, p50 "
                f"{floor.pct(0.5):.1f} ms, p99 {floor.pct(0.99):.1f} ms); errors: {floor.errors or 'none'}; "
                f"machine CPU {floor.cpu:.0f} %"
            )
            print(f"   CPU per registration: {floor_acc.per(floor.ok)}")
            stop_server(server)
            server = None

        server = start_server(env, port, args.workers, args.threads, log)
        register_forms(port, setup["checkpoint"], traffic, 2, 3.0)  # warm the workers up again

        api = None
        if args.api_seconds > 0:
            print(
                f"-- the same from tablets online (JSON API, bearer token): {args.clients} clients, "
                f"{args.api_seconds:.0f} s"
            )
            settle(dsn)
            api_acc = CpuAccount(server.pid, dsn, args.db)
            api = register_api(
                port, setup["checkpoint"], setup["token"], traffic, args.clients, args.api_seconds, api_acc
            )
            api_rate = api.ok / api.elapsed
            print(
                f"   {api.ok} passages in {api.elapsed:.1f} s ({api_rate:.0f}/s, p50 {api.pct(0.5):.1f} ms, "
                f"p99 {api.pct(0.99):.1f} ms); errors: {api.errors or 'none'}; machine CPU {api.cpu:.0f} %"
            )
            print(f"   CPU per passage: {api_acc.per(api.ok)}")

        print(
            f"-- batch upload: {args.batch_clients} tablets, {args.batch_size} passages per call, "
            f"{args.batch_seconds:.0f} s"
        )
        settle(dsn)
        batch_acc = CpuAccount(server.pid, dsn, args.db)
        batch = upload_batches(
            port,
            setup["checkpoint"],
            setup["token"],
            traffic,
            args.batch_clients,
            args.batch_seconds,
            args.batch_size,
            batch_acc,
        )
        batch_rate = batch.passages / batch.elapsed
        batch_capacity = batch_acc.capacity(batch.passages, cores)
        print(
            f"   {batch.passages} passages in {batch.ok} calls, {batch.elapsed:.1f} s; errors: "
            f"{batch.errors or 'none'}; call p50 {batch.pct(0.5):.0f} ms, max {batch.pct(1.0):.0f} ms; "
            f"machine CPU {batch.cpu:.0f} %"
        )
        print(f"   CPU per passage: {batch_acc.per(batch.passages)}")
        stop_server(server)
        server = None

        print("-- floor: the same rows as plain single-row INSERTs (one commit each), one client")
        n, seconds = plain_inserts(dsn, keys, min(30.0, args.seconds))
        plain_rate = n / seconds
        rows = count_rows(dsn)

        print()
        print(
            f"   registration rate     {rate:8.0f} passages/s   target ≥ {TARGET_RATE:.0f}   "
            f"ratio {rate / TARGET_RATE:.2f}   {verdict(rate >= TARGET_RATE)}"
        )
        print(
            f"   registration p99      {p99:8.1f} ms           target < {TARGET_P99_MS:.0f}   "
            f"ratio {p99 / TARGET_P99_MS:.2f}   {verdict(p99 < TARGET_P99_MS)}   (p50 {p50:.1f} ms, p95 {p95:.1f} ms)"
        )
        print(
            f"   batch upload rate     {batch_rate:8.0f} passages/s   target ≥ {TARGET_BATCH_RATE:.0f}  "
            f"ratio {batch_rate / TARGET_BATCH_RATE:.2f}   {verdict(batch_rate >= TARGET_BATCH_RATE)}"
        )
        print(
            f"   plain INSERT floor    {plain_rate:8.0f} rows/s       registration / plain INSERT = "
            f"{rate / plain_rate:.2f}; batch / plain INSERT = {batch_rate / plain_rate:.2f}"
        )
        if floor is not None:
            floor_rate = floor.ok / floor.elapsed
            print(
                f"   bare WSGI floor       {floor_rate:8.0f} passages/s   (same statements and crypto, no Django; "
                f"registration = {rate / floor_rate:.2f} of it)"
            )
        print(
            f"   CPU cost → capacity   registration {reg_capacity:.0f} passages/s, batch {batch_capacity:.0f} "
            f"passages/s, if the server and database had all {cores} cores to themselves"
        )
        print(
            f"   rows written: {rows['passages']} passages, {rows['arrivals']} arrivals, "
            f"{rows['audit']} passage audit entries · load average now {loadavg()}"
        )
        figures = {
            "registration_rate": rate,
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "batch_rate": batch_rate,
            "plain_insert_rate": plain_rate,
            "ratio_to_plain": rate / plain_rate,
            "registration_cpu_ms": 1000 * (acc.server + acc.database) / max(1, reg.passages),
            "carload": args.carload,
            "batch_cpu_ms": 1000 * (batch_acc.server + batch_acc.database) / max(1, batch.passages),
            "registration_capacity": reg_capacity,
            "batch_capacity": batch_capacity,
            "api_rate": (api.ok / api.elapsed) if api else None,
            "floor_rate": (floor.ok / floor.elapsed) if floor else None,
            "errors": reg.errors,
            "batch_errors": batch.errors,
            "cpu_busy": reg.cpu,
            "targets": {"rate": TARGET_RATE, "p99_ms": TARGET_P99_MS, "batch_rate": TARGET_BATCH_RATE},
        }
        if args.json:
            Path(args.json).write_text(json.dumps(figures, indent=2))
        return 0
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep_db:
            pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
