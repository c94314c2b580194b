"""``fangkong serve``'s gunicorn, run for real on a free localhost port: its log
lines mask ID and phone numbers in URL paths and escape control characters (a
``%0A`` cannot forge a line), and a request stuck past its time budget gets
its worker replaced (gunicorn's own timeout never fires for a gthread worker)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fangkong.core.management.commands.serve import gunicorn_command

NUMBER = "41061119800101011X"
PHONE = "13812341234"
SRC = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp_path: Path, app: str = "fangkong.wsgi:application", **env):
        self.port = free_port()
        command = gunicorn_command(host="127.0.0.1", port=self.port, workers=1, threads=2)
        command[command.index("fangkong.wsgi:application")] = app
        self.out, self.err = tmp_path / "access.log", tmp_path / "error.log"
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": f"{SRC}{os.pathsep}{SRC / 'fangkong' / 'core' / 'tests'}",
            "DJANGO_SETTINGS_MODULE": "fangkong.settings",
            "FANGKONG_VAR_DIR": str(tmp_path / "var"),
            **env,
        }
        self.proc = subprocess.Popen(
            command, env=environment, stdout=self.out.open("w"), stderr=self.err.open("w"), cwd=tmp_path
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert self.proc.poll() is None, self.err.read_text()
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start: " + self.err.read_text())

    def get(self, raw_path: str, timeout: float = 90) -> int:  # generous: a loaded CI machine
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest("GET", raw_path, skip_accept_encoding=True)
            conn.endheaders()
            return conn.getresponse().status
        finally:
            conn.close()

    def logs(self) -> str:
        time.sleep(0.5)
        return self.out.read_text() + self.err.read_text()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def server(tmp_path):
    servers = []

    def start(**kw):
        servers.append(Server(tmp_path, **kw))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


def test_access_and_error_logs_mask_numbers_and_escape_control_characters(server):
    s = server()
    for path in (
        f"/people/{NUMBER}/",
        f"/x{PHONE}y/",
        "/a%0Aforged%20line%0D200%20OK/",
        "/b%0d%0aGET%20/admin/",
        f"/search/q{NUMBER}%0A",
    ):
        assert s.get(path) in (301, 302, 404)
    text = s.logs()
    assert NUMBER not in text and PHONE not in text and "1980010101" not in text
    assert "410611********011X" in text or "410******1X" in text
    assert "/a\\x0aforged line\\x0d200 OK/" in text and "\\x0d\\x0aGET /admin/" in text
    # no line starts with the forged text: each request is one line
    assert not [line for line in text.splitlines() if line.startswith(("forged", "200 OK", "GET /admin"))]
    access = [line for line in text.splitlines() if '"GET /' in line]
    assert len(access) >= 5


def test_a_request_stuck_past_its_budget_gets_its_worker_replaced(server):
    s = server(app="slow_wsgi:application", FANGKONG_REQUEST_TIMEOUT="2")
    first_pid = s.get("/pid") and _pid(s)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError, TimeoutError, socket.timeout)):
        s.get("/hang", timeout=30)
    # a fresh worker answers
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if _pid(s) != first_pid:
                break
        except OSError:
            time.sleep(0.3)
    assert _pid(s) != first_pid
    text = s.logs()
    assert "has run for more than 2s" in text and "replaced" in text


def _pid(s: Server) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
    try:
        conn.request("GET", "/pid")
        return int(conn.getresponse().read())
    finally:
        conn.close()


def test_serve_recycles_workers_and_uses_the_safe_logger():
    command = gunicorn_command(host="127.0.0.1", port=8000, workers=3, threads=2)
    assert "python:fangkong.core.gunicorn_conf" in command
    assert {"--max-requests", "--max-requests-jitter", "--timeout"} <= set(command)
    from fangkong.core import gunicorn_conf

    assert gunicorn_conf.logger_class is gunicorn_conf.SafeLogger
    assert re.search(r"%\(U\)s", command[command.index("--access-logformat") + 1])
    assert "%(q)s" not in command[command.index("--access-logformat") + 1]
    assert sys.executable in command
