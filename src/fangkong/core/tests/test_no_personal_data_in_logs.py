import logging
import subprocess
import sys

from fangkong.core.logging import RedactPersonalData

NUMBER = "41061119800101011X"


def test_log_lines_are_scrubbed_of_ids_and_phones():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "lookup %s phone %s", (NUMBER, "13812341234"), None)
    RedactPersonalData().filter(record)
    text = record.getMessage()
    assert NUMBER not in text and "13812341234" not in text
    assert "410611********011X" in text and "138****1234" in text


def test_tracebacks_are_scrubbed_too():
    try:
        raise ValueError(f"bad number {NUMBER}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    RedactPersonalData().filter(record)
    assert NUMBER not in record.exc_text and "ValueError" in record.exc_text


def test_the_configured_root_logger_uses_the_filter(caplog):
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactPersonalData) for f in handler.filters)


def test_production_mode_refuses_to_start_without_keys(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "FANGKONG_MODE": "production",
        "FANGKONG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
    }
    r = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode != 0 and "FANGKONG_SECRET_KEY" in r.stderr
    assert not (tmp_path / "secrets.json").exists()


def test_a_bad_setting_value_stops_with_a_clear_message(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "FANGKONG_DEBUG": "ture",
        "FANGKONG_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "fangkong.settings",
    }
    r = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode != 0 and "FANGKONG_DEBUG" in r.stderr


def test_server_errors_show_no_details(client, settings, qinghuayuan_worker, monkeypatch):
    from django.urls import reverse

    from fangkong.people import views

    def boom(*a, **k):
        raise RuntimeError(f"exploded on {NUMBER}")

    monkeypatch.setattr(views.selectors, "person_list", boom)
    client.raise_request_exception = False
    client.force_login(qinghuayuan_worker)
    r = client.get(reverse("people:person_list"))
    assert r.status_code == 500
    assert NUMBER not in r.content.decode() and "出错了" in r.content.decode()


def test_pages_are_chinese_even_for_an_english_browser_until_english_is_chosen(client, hebi):
    r = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in r.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    r = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Log in" in r.content.decode() or "Sign in" in r.content.decode()
