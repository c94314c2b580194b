"""A 5 KB upload with one row at 2,000,000,000 used to hold the request's
thread for hours: it is now a quick 400 saying why, and nothing is kept; the
background job path refuses it the same way."""

import time

from conftest import login
from fangkong.ledgers import services
from fangkong.ledgers.models import ImportJob
from fangkong.ledgers.tests.test_import_pages import upload
from fangkong.ledgers.tests.xlsx import people_xlsx, person
from fangkong.lib.tests.test_excel_hostile_uploads import QUICK, row_two_at


def crafted_people(number: int) -> bytes:
    import io
    import re
    import zipfile

    data = people_xlsx([person()])
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = row_two_at(number, dimension=f"A1:J{number}")(body.decode()).encode()
                assert re.search(rb'<row r="%d"' % number, body)
            z.writestr(item.filename, body)
    return out.getvalue()


def test_an_upload_with_a_row_at_two_billion_is_a_quick_400_saying_why(client, qinghuayuan_worker):
    started = time.monotonic()
    response = upload(login(client, qinghuayuan_worker), crafted_people(2_000_000_000))
    assert time.monotonic() - started < QUICK
    html = response.content.decode()
    assert response.status_code == 400 and "第 2,000,000,000 行" in html and "超出 Excel 范围" in html
    assert not ImportJob.objects.exists()


def test_an_upload_with_a_row_past_the_limit_is_a_quick_400(client, qinghuayuan_worker, settings):
    settings.FANGKONG_IMPORT_MAX_ROWS = 100
    response = upload(login(client, qinghuayuan_worker), crafted_people(500_000))
    assert response.status_code == 400 and "第 500,000 行超出了范围" in response.content.decode()


def test_a_background_job_refuses_a_row_past_the_limit_and_ends_failed(qinghuayuan_worker, settings, tmp_path):
    # the upload passed the first look under a higher limit, then the limit was lowered
    from django.core.files.base import ContentFile

    job = ImportJob(
        user=qinghuayuan_worker, kind="people", mode="nothing", background=True, division_code="410611005007"
    )
    job.file.save("upload.xlsx", ContentFile(crafted_people(500_000)), save=False)
    job.save()
    settings.FANGKONG_IMPORT_MAX_ROWS = 100
    started = time.monotonic()
    job = services.import_job_run(job_id=job.pk)
    assert time.monotonic() - started < QUICK
    assert job.status == ImportJob.Status.FAILED and "第 500,000 行超出了范围" in job.message
    assert job.saved_rows == 0 and not job.file


def test_a_background_job_stops_at_its_time_budget(qinghuayuan_worker, settings):
    from django.core.files.base import ContentFile

    job = ImportJob(
        user=qinghuayuan_worker, kind="people", mode="nothing", background=True, division_code="410611005007"
    )
    job.file.save("upload.xlsx", ContentFile(people_xlsx([person() for _ in range(50)])), save=False)
    job.save()
    settings.FANGKONG_IMPORT_TASK_SECONDS = 0.000001
    job = services.import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED and "时限" in job.message and job.saved_rows == 0
