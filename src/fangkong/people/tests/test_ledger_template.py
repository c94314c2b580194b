"""The people ledger template: download it, fill it in, import it."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from fangkong.ledgers.models import ImportJob
from fangkong.ledgers.tests.xlsx import fresh_id
from fangkong.people.ledger import PeopleLedger
from fangkong.people.models import Person


def test_the_template_has_the_header_an_example_and_an_explanation(client, qinghuayuan_worker):
    response = login(client, qinghuayuan_worker).get(reverse("ledgers:template", args=["people"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="people-template.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["人员台账", "填写说明"]
    ws = wb["人员台账"]
    header = [c.value for c in ws[1]]
    assert header == [c.header for c in PeopleLedger.columns]
    example = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert example["村社区代码或名称"] == "清华园社区"  # the user's own community
    assert example["与户主关系"] == "户主" and len(example["证件号码"]) == 18
    assert ws["F2"].number_format == "@"  # ID numbers stay text
    notes = [[c.value for c in row] for row in wb["填写说明"].iter_rows()]
    described = {r[0]: r for r in notes if r and r[0] in header}
    assert set(described) == set(header)
    assert described["证件类型"][1] == "选填" and "护照" in described["证件类型"][3]
    assert described["证件号码"][1] == "必填"
    assert any("示例" in (r[0] or "") for r in notes)


def test_a_filled_in_template_imports(client, qinghuayuan_worker, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    login(client, qinghuayuan_worker)
    wb = load_workbook(io.BytesIO(client.get(reverse("ledgers:template", args=["people"])).content))
    ws = wb["人员台账"]
    ws.append(
        [
            "410611005007",
            "第一网格",
            "黄河路8号",
            "周一",
            "居民身份证",
            fresh_id(),
            "",
            "13812340001",
            "",
            "",
            "户主",
            "工人",
            "低保户",
        ]
    )
    ws.append(["清华园社区", "第一网格", "黄河路8号", "周二", "", fresh_id(), "", "", "", "", "配偶", "", ""])
    ws.append(
        [
            "清华园社区",
            "",
            "黄河路9号",
            "Anna Schmidt",
            "护照",
            "C01X00T47",
            "外籍",
            "",
            "女",
            "1990-05-06",
            "户主",
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    response = client.post(
        reverse("ledgers:import"),
        {"kind": "people", "mode": "nothing", "file": SimpleUploadedFile("filled.xlsx", buf.getvalue())},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "done", job.message
    assert job.errors == [] and job.saved_rows == 3 and job.total_rows == 3  # the example row is skipped
    assert job.result == {"rows": 3, "persons": 3, "households": 2, "households_existing": 0}
    assert sorted(Person.objects.values_list("name", flat=True)) == ["Anna Schmidt", "周一", "周二"]
    anna = Person.objects.get(name="Anna Schmidt")
    assert (anna.doc_type, anna.sex, str(anna.birth_date)) == ("passport", "F", "1990-05-06")
    assert not Person.objects.filter(name="王小明").exists()
