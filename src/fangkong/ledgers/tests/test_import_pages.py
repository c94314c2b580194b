"""The import pages: upload → result with every error; bad files are a 400 with
a clear message; big files run in the background with a progress bar; a job
is seen only by the user who started it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.ledgers import services
from fangkong.ledgers.models import ImportJob
from fangkong.ledgers.tests.xlsx import fresh_id, people_xlsx, person
from fangkong.people.models import Household, Person

IMPORT = reverse("ledgers:import")


def upload(client, data, mode="nothing", name="台账.xlsx"):
    return client.post(
        IMPORT,
        {
            "kind": "people",
            "mode": mode,
            "file": SimpleUploadedFile(name, data, content_type="application/octet-stream"),
        },
    )


def error_rows(html: str) -> list[tuple[str, str, str]]:
    table = re.search(r'<table[^>]*id="import-errors".*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr class="import-error"[^>]*>(.*?)</tr>', table, re.S)
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)) for r in rows]


def test_the_import_page_explains_both_modes_and_defaults_to_save_nothing(client, qinghuayuan_worker):
    html = login(client, qinghuayuan_worker).get(IMPORT).content.decode()
    assert 'id="mode-nothing" name="mode" value="nothing" checked' in html
    assert "只保存正确的行" in html and "有错误时全部不保存" in html
    assert reverse("ledgers:template", args=["people"]) in html


def test_the_nav_links_to_the_import_page(client, qinghuayuan_worker):
    html = login(client, qinghuayuan_worker).get(reverse("people:household_list")).content.decode()
    assert f'href="{IMPORT}"' in html


def test_staff_without_people_rights_cannot_import(client, checkpoint_staff):
    assert login(client, checkpoint_staff).get(IMPORT).status_code == 403
    assert client.get(reverse("ledgers:template", args=["people"])).status_code == 403


def test_upload_with_bad_rows_shows_every_error(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    data = people_xlsx([person(name="好人"), person(name=""), person(phone="123"), person(doc_number="12345")])
    response = upload(client, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledgers:job_detail", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert error_rows(html) == [
        ("3", "姓名", "请填写姓名。"),
        ("4", "电话", error_rows(html)[1][2]),
        ("5", "证件号码", "身份证号码应为18位。"),
    ]
    assert 'data-outcome="nothing-saved"' in html and "没有保存任何数据" in html
    assert not Person.objects.exists()
    assert (job.status, job.total_rows, job.error_rows, job.saved_rows) == ("done", 4, 3, 0)
    assert not job.file  # the upload is not kept


def test_save_the_good_rows_reports_what_was_saved_and_skipped(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    response = upload(
        client, people_xlsx([person(name="甲"), person(name=""), person(name="丙", address="另一户")]), mode="good_rows"
    )
    html = client.get(response["Location"]).content.decode()
    assert 'data-outcome="saved"' in html
    assert re.search(r'id="count-saved">2<', html) and re.search(r'id="count-skipped">1<', html)
    assert "新登记 2 人；新建 2 户" in html and "跳过了 1 行" in html
    assert [r[0] for r in error_rows(html)] == ["3"]
    assert Person.objects.count() == 2 and Household.objects.count() == 2


def test_an_import_writes_one_audit_entry_with_counts(client, qinghuayuan_worker):
    login(client, qinghuayuan_worker)
    upload(client, people_xlsx([person(), person(), person(name="")]), mode="good_rows")
    entry = AuditEntry.objects.get(action="import")
    assert entry.actor == qinghuayuan_worker and entry.object_type == "people.person"
    assert entry.detail["rows"] == 3 and entry.detail["saved_rows"] == 2 and entry.detail["error_rows"] == 1
    assert entry.detail["saved_persons"] == 2 and entry.detail["saved_households"] == 1
    assert AuditEntry.objects.exclude(action="login").count() == 1  # not one per person


@pytest.mark.parametrize(
    "data, words",
    [
        (b"name,id\nx,1\n", ".xlsx"),
        (b"PK\x03\x04broken", "已损坏"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ],
)
def test_a_bad_file_is_a_400_with_a_clear_message(client, qinghuayuan_worker, data, words):
    response = upload(login(client, qinghuayuan_worker), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-file-errors"' in html and words in html
    assert not ImportJob.objects.exists()


def test_an_empty_upload_is_a_400(client, qinghuayuan_worker):
    response = upload(login(client, qinghuayuan_worker), b"")
    assert response.status_code == 400 and "空的" in response.content.decode()


def test_no_file_at_all_is_a_400(client, qinghuayuan_worker):
    response = login(client, qinghuayuan_worker).post(IMPORT, {"kind": "people", "mode": "nothing"})
    assert response.status_code == 400 and "请选择要导入的文件" in response.content.decode()


def test_an_unknown_mode_is_a_400(client, qinghuayuan_worker):
    response = upload(login(client, qinghuayuan_worker), people_xlsx([person()]), mode="some")
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_missing_headers_are_a_400(client, qinghuayuan_worker):
    response = upload(login(client, qinghuayuan_worker), people_xlsx([person()], headers=["姓名", "地址"]))
    assert response.status_code == 400
    assert "表头缺少必填列：村社区代码或名称、证件号码" in response.content.decode()


def test_an_empty_sheet_is_a_400(client, qinghuayuan_worker):
    response = upload(login(client, qinghuayuan_worker), people_xlsx([], headers=[None]))
    assert response.status_code == 400 and "工作表是空的" in response.content.decode()


def test_too_many_rows_are_a_400(client, qinghuayuan_worker, settings):
    settings.FANGKONG_IMPORT_MAX_ROWS = 10
    response = upload(login(client, qinghuayuan_worker), people_xlsx([person() for _ in range(11)]))
    assert response.status_code == 400 and "最多导入 10 行" in response.content.decode()


def test_too_big_a_file_is_a_400(client, qinghuayuan_worker, settings):
    settings.FANGKONG_IMPORT_MAX_BYTES = 2048
    response = upload(login(client, qinghuayuan_worker), people_xlsx([person() for _ in range(50)]))
    assert response.status_code == 400 and "文件太大" in response.content.decode()


# ------------------------------------------------------------------ background


def test_a_big_file_runs_in_the_background_with_progress(client, qinghuayuan_worker, settings, monkeypatch):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 5
    monkeypatch.setattr(services, "PROGRESS_EVERY", 4)
    seen = []
    original = services.ImportJob.objects.filter

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        update = qs.update

        def recording_update(**fields):
            if "processed_rows" in fields:
                seen.append(fields["processed_rows"])
            return update(**fields)

        qs.update = recording_update
        return qs

    monkeypatch.setattr(services.ImportJob.objects, "filter", spy)
    login(client, qinghuayuan_worker)
    rows = [person(address=f"幸福路{i}号") for i in range(12)]
    response = upload(client, people_xlsx(rows), mode="good_rows")
    job = ImportJob.objects.get()
    assert job.background and job.task_id
    # the task (run at once by the test backend) reported progress as it went
    assert seen[:4] == [0, 4, 8, 12]
    assert (job.status, job.saved_rows, job.processed_rows, job.percent) == ("done", 12, 12, 100)
    assert Person.objects.count() == 12
    assert client.get(response["Location"]).status_code == 200


def _without_dimension(n: int) -> bytes:
    import io

    from openpyxl import Workbook

    from fangkong.ledgers.tests.xlsx import PEOPLE_HEADERS, PEOPLE_KEYS

    wb = Workbook(write_only=True)  # no <dimension>: the row count is unknown until read
    ws = wb.create_sheet("人员台账")
    ws.append(PEOPLE_HEADERS)
    for i in range(n):
        row = person(address=f"b{i}")
        ws.append([row.get(k) for k in PEOPLE_KEYS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_file_without_a_row_count_goes_to_the_background(client, qinghuayuan_worker, settings):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 3
    upload(login(client, qinghuayuan_worker), _without_dimension(5))
    job = ImportJob.objects.get()
    assert job.background and job.status == "done" and job.saved_rows == 5


@pytest.fixture
def queued_backend(settings):
    """A task backend that only queues (as the database backend does until its worker runs)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_job_page_polls_a_progress_bar_until_the_job_ends(client, qinghuayuan_worker, settings, queued_backend):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 2
    login(client, qinghuayuan_worker)
    response = upload(client, people_xlsx([person(address=f"a{i}") for i in range(3)]))
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.file
    html = client.get(response["Location"]).content.decode()
    progress_url = reverse("ledgers:job_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in html and 'hx-trigger="every 1s"' in html
    assert 'id="import-progress"' in html and 'data-status="queued"' in html

    services.import_job_run(job_id=job.pk)  # what the worker does
    partial = client.get(progress_url, HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    body = partial.content.decode()
    assert 'data-status="done"' in body and "hx-trigger" not in body  # polling stops
    html = client.get(response["Location"]).content.decode()
    assert "hx-trigger" not in html and 'data-outcome="saved"' in html
    assert Person.objects.count() == 3


def test_an_unknown_total_shows_a_moving_bar_and_the_rows_checked(client, qinghuayuan_worker, settings, queued_backend):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 3
    upload(login(client, qinghuayuan_worker), _without_dimension(5))
    job = ImportJob.objects.get()
    assert job.estimated_rows is None
    ImportJob.objects.filter(pk=job.pk).update(status="running", stage="checking", processed_rows=4)
    body = client.get(reverse("ledgers:job_progress", args=[job.pk])).content.decode()
    assert "progress indeterminate" in body and "已检查 4 行" in body and 'hx-trigger="every 1s"' in body


def test_running_a_job_twice_does_nothing_the_second_time(client, qinghuayuan_worker, settings, queued_backend):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 1
    upload(login(client, qinghuayuan_worker), people_xlsx([person()]))
    job = ImportJob.objects.get()
    services.import_job_run(job_id=job.pk)
    services.import_job_run(job_id=job.pk)
    assert Person.objects.count() == 1 and AuditEntry.objects.filter(action="import").count() == 1


def test_a_job_whose_file_turns_out_bad_fails_with_its_message(client, qinghuayuan_worker, settings, queued_backend):
    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 1
    upload(login(client, qinghuayuan_worker), people_xlsx([person() for _ in range(5)]))
    job = ImportJob.objects.get()
    settings.FANGKONG_IMPORT_MAX_ROWS = 3  # the limit was lowered meanwhile
    services.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "最多导入 3 行" in job.message and not job.file
    html = client.get(reverse("ledgers:job_detail", args=[job.pk])).content.decode()
    assert 'data-outcome="failed"' in html and "没有保存任何数据" in html
    assert not Person.objects.exists()


def test_an_unexpected_error_fails_the_job_and_saves_nothing(client, qinghuayuan_worker, monkeypatch):
    from fangkong.people.ledger import PeopleLedger

    def broken(self, items):
        Person.objects.create(name="半截", division_code="410611005007")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(PeopleLedger, "save", broken)
    response = upload(login(client, qinghuayuan_worker), people_xlsx([person()]))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed" and "系统内部错误" in job.message
    assert not Person.objects.exists()


# ------------------------------------------------------------------ scoping


def test_an_outsider_cannot_see_another_users_job(client, qinghuayuan_worker, ximazhuang_worker, county_officer):
    upload(login(client, qinghuayuan_worker), people_xlsx([person(), person(name="")]))
    job = ImportJob.objects.get()
    for other in (ximazhuang_worker, county_officer):  # not even the county officer above
        login(client, other)
        for name in ("ledgers:job_detail", "ledgers:job_progress", "ledgers:job_errors_export"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        html = client.get(reverse("ledgers:job_list")).content.decode()
        assert "台账.xlsx" not in html and reverse("ledgers:job_detail", args=[job.pk]) not in html


def test_the_job_list_shows_my_jobs(client, qinghuayuan_worker):
    upload(login(client, qinghuayuan_worker), people_xlsx([person()]), name="三月台账.xlsx")
    html = client.get(reverse("ledgers:job_list")).content.decode()
    assert "三月台账.xlsx" in html and 'data-status="done"' in html


def test_anonymous_users_are_sent_to_login(client):
    assert client.get(IMPORT).status_code == 302
    assert client.get(reverse("ledgers:job_list")).status_code == 302


def test_the_error_report_downloads_without_personal_data(client, qinghuayuan_worker):
    number = fresh_id()
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    upload(login(client, qinghuayuan_worker), people_xlsx([person(doc_number=bad, phone="1381234")]))
    job = ImportJob.objects.get()
    response = client.get(reverse("ledgers:job_errors_export", args=[job.pk]))
    assert response.status_code == 200
    from fangkong.ledgers.tests.xlsx import all_text

    text = all_text(response.content)
    assert "校验位" in text and "导出人" in text and bad not in text and "1381234" not in text


def test_the_page_offers_only_the_kinds_the_user_may_import(client, qinghuayuan_worker, inspector, monkeypatch):
    from fangkong.accounts.roles import AUDIT_VIEW, PEOPLE_IMPORT
    from fangkong.ledgers.kinds import KINDS, Kind

    monkeypatch.setitem(
        KINDS,
        "audit_only",
        Kind(
            "audit_only", "只给督查的台账", "fangkong.people.ledger.PeopleLedger", AUDIT_VIEW, "x.xlsx", "people.person"
        ),
    )
    monkeypatch.setitem(
        KINDS,
        "more_people",
        Kind(
            "more_people",
            "另一种人员台账",
            "fangkong.people.ledger.PeopleLedger",
            PEOPLE_IMPORT,
            "y.xlsx",
            "people.person",
        ),
    )
    html = login(client, qinghuayuan_worker).get(IMPORT).content.decode()
    assert 'id="ledger-kinds"' in html and "另一种人员台账" in html and "只给督查的台账" not in html
    assert client.get(IMPORT + "?kind=audit_only").status_code == 403
    assert client.get(IMPORT + "?kind=nonsense").status_code == 404
    # a kind added after start-up is accepted by the form
    response = client.post(
        IMPORT,
        {"kind": "more_people", "mode": "nothing", "file": SimpleUploadedFile("a.xlsx", people_xlsx([person()]))},
    )
    assert response.status_code == 302 and ImportJob.objects.get().kind == "more_people"


def test_a_job_whose_worker_died_ends_as_failed_and_says_what_to_do(
    client, qinghuayuan_worker, settings, queued_backend
):
    """A restart killed the worker mid-import: the job must not show "running" for ever."""
    import datetime as dt

    from django.utils import timezone

    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 1
    upload(login(client, qinghuayuan_worker), people_xlsx([person(), person()]))
    job = ImportJob.objects.get()
    recent = timezone.now() - services.STALE_RUNNING + dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", stage="checking", processed_rows=1, started_at=recent, heartbeat_at=recent
    )
    progress = reverse("ledgers:job_progress", args=[job.pk])
    assert 'data-status="running"' in client.get(progress).content.decode()  # still alive: left alone
    old = timezone.now() - services.STALE_RUNNING - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=old)
    r = client.get(progress, HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and 'data-status="failed"' in r.content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "后台导入中断" in job.message and not job.file
    assert not Person.objects.exists()
    assert AuditEntry.objects.filter(action="import", detail__status="failed").count() == 1
    services.import_job_run(job_id=job.pk)  # a late worker does nothing
    assert not Person.objects.exists() and ImportJob.objects.get().status == "failed"


def test_a_job_that_never_found_a_worker_ends_as_failed_in_the_list(
    client, qinghuayuan_worker, settings, queued_backend
):
    import datetime as dt

    from django.utils import timezone

    settings.FANGKONG_IMPORT_BACKGROUND_ROWS = 1
    upload(login(client, qinghuayuan_worker), people_xlsx([person(), person()]))
    ImportJob.objects.update(created_at=timezone.now() - services.STALE_QUEUED - dt.timedelta(minutes=1))
    html = client.get(reverse("ledgers:job_list")).content.decode()
    assert ImportJob.objects.get().status == "failed" and "失败" in html
    assert "后台任务进程没有运行" in ImportJob.objects.get().message
