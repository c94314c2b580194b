"""Fixtures shared by every test: the Hebi division tree and one named user per
role (see docs/architecture.md, "Who uses it"). Use these users everywhere; do not make ad-hoc ones."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from fangkong.lib.documents import make_resident_id


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language (zh-hans): a test that
    switches to English (a management command with --language, a view that
    activates the request's language) must not change the messages of the next
    test run in the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_place_table():
    """Every test reads the divisions of its own database: the per-process table
    of the city's places (regions.selectors) is not carried from one test to the next."""
    from fangkong.regions.selectors import place_cache_clear

    place_cache_clear()
    yield
    place_cache_clear()


HQ_CODE = "4106"
QIBIN = "410611"  # 淇滨区
TAISHANLU = "410611005"  # 泰山路街道
QINGHUAYUAN = "410611005007"  # 清华园社区
XUNXIAN = "410621"  # 浚县
XIMAZHUANG = "410621002216"  # 西马庄村

PASSWORD = "Test-password-2020"

_seq = itertools.count(1)


def new_resident_id(region: str = QIBIN, birth: dt.date | None = None, sex: str = "M") -> str:
    """A fresh, valid resident ID number (generated, never a real person's).
    With ``birth`` given the number carries exactly that birth date; without,
    each call gets another day so numbers never repeat within a test run."""
    n = next(_seq)
    seq = (n % 500) * 2 + (1 if sex == "M" else 0)
    if birth is None:
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=n // 500 * 7 + n % 500 % 7)
    return make_resident_id(region, birth, seq)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say loudly when browser journeys were skipped (here in the root conftest so
    that pytest-xdist's controller, which never loads tests/journeys/, prints it)."""
    skipped = [
        r
        for r in terminalreporter.stats.get("skipped", [])
        if "BROWSER JOURNEYS SKIPPED" in str(getattr(r, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("!", "BROWSER JOURNEYS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped)} browser journey tests did not run: /usr/bin/chromium is missing.", red=True, bold=True
        )
        terminalreporter.write_line(
            "Install it with: apt-get install -y chromium fonts-noto-cjk "
            "(CI sets FANGKONG_REQUIRE_BROWSER=1, where this fails the run).",
            red=True,
            bold=True,
        )


def _ensure_hebi():
    from fangkong.regions.management.commands.divisions import BUNDLED_HEBI
    from fangkong.regions.models import Division
    from fangkong.regions.services import divisions_import, grids_create

    if not Division.objects.filter(code=QINGHUAYUAN).exists():
        divisions_import(source=BUNDLED_HEBI)
        grids_create(community_code=QINGHUAYUAN, names=["第一网格", "第二网格"])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_hebi()


@pytest.fixture
def hebi(db):
    """The real Hebi division tree (1 city, 6 counties, 48 townships, 1,041 communities)."""
    _ensure_hebi()


def _user(username: str, role: str, code: str, full_name: str):
    from fangkong.accounts.models import Assignment, User

    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    user.set_password(PASSWORD)
    user.save()
    Assignment.objects.get_or_create(user=user, role=role, division_id=code)
    return user


@pytest.fixture
def hq_officer(hebi):
    return _user("hq_officer", "hq", HQ_CODE, "市指挥部王")


@pytest.fixture
def county_officer(hebi):
    return _user("qibin_officer", "county", QIBIN, "淇滨区李")


@pytest.fixture
def township_officer(hebi):
    return _user("taishanlu_officer", "township", TAISHANLU, "泰山路赵")


@pytest.fixture
def qinghuayuan_worker(hebi):
    return _user("qinghuayuan_worker", "grid", QINGHUAYUAN, "清华园张")


@pytest.fixture
def ximazhuang_worker(hebi):
    """Works in 浚县 西马庄村: must see nothing of 淇滨区."""
    return _user("ximazhuang_worker", "grid", XIMAZHUANG, "西马庄刘")


@pytest.fixture
def checkpoint_staff(hebi):
    return _user("checkpoint_staff", "checkpoint", QIBIN, "卡点陈")


@pytest.fixture
def clinic_staff(hebi):
    return _user("clinic_staff", "clinic", QIBIN, "门诊孙")


@pytest.fixture
def inspector(hebi):
    return _user("city_inspector", "inspector", HQ_CODE, "督查周")


@pytest.fixture
def sysadmin(hebi):
    return _user("sysadmin", "admin", HQ_CODE, "管理吴")


@pytest.fixture
def household_qhy(qinghuayuan_worker):
    """A household in 清华园社区."""
    from fangkong.people.services import household_create

    return household_create(user=qinghuayuan_worker, division_code=QINGHUAYUAN, address="泰山路12号院3号楼2单元301")


@pytest.fixture
def zhang_san(qinghuayuan_worker, household_qhy):
    """张三, head of the 清华园社区 household."""
    from fangkong.people.services import person_create

    return person_create(
        user=qinghuayuan_worker,
        household=household_qhy,
        name="张三",
        doc_number=new_resident_id(QIBIN, dt.date(1980, 1, 1), "M"),
        phone="13812341234",
        relation="head",
    )


@pytest.fixture
def household_xmz(ximazhuang_worker):
    from fangkong.people.services import household_create

    return household_create(user=ximazhuang_worker, division_code=XIMAZHUANG, address="西马庄村东街8号")


def login(client, user):
    client.force_login(user)
    return client


def _audit_triggers(enabled: bool) -> None:
    """The audit trail is append-only in the database (audit/triggers.py). On
    PostgreSQL its TRUNCATE trigger refuses pytest-django's flush after a
    committed-data test, so the flush runs with the triggers lifted."""
    from django.db import connection

    from fangkong.audit.triggers import set_triggers

    if connection.vendor == "postgresql":
        set_triggers(connection, enabled)


@pytest.fixture
def _restore_after_flush(django_db_setup, django_db_blocker):
    """Set up before (so torn down after) pytest-django's flush: puts the audit
    triggers and the Hebi divisions back."""
    yield
    with django_db_blocker.unblock():
        _audit_triggers(True)
        _ensure_hebi()


@pytest.fixture
def committed_db(_restore_after_flush, transactional_db):
    """Committed data, for races between real connections (PostgreSQL)."""
    _ensure_hebi()
    yield
    _audit_triggers(False)


@pytest.fixture
def secrets() -> set[str]:
    """Full numbers that must never appear in an API response; tests add theirs
    (``fangkong.people.tests.test_api_support.remember``)."""
    return set()


@pytest.fixture
def api(secrets):
    """``api(user)`` → an API client authenticated with a fresh token of that
    user, which fails the test on a 5xx or on any of ``secrets`` in a response."""
    from fangkong.people.tests.test_api_support import ApiClient

    def make(user):
        return ApiClient(user, secrets)

    return make
