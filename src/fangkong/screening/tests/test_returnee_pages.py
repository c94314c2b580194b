import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import login
from fangkong.audit.models import AuditEntry
from fangkong.lib import vault
from fangkong.screening.services import returnee_confirm

from .helpers import an_arrival


@pytest.fixture
def returnee(qinghuayuan_worker):
    return returnee_confirm(
        user=qinghuayuan_worker, arrival=an_arrival(name="周返乡"), measure="health_monitoring", measure_reason="返乡"
    )


def test_the_list_and_the_detail_show_the_returnee(client, qinghuayuan_worker, returnee):
    login(client, qinghuayuan_worker)
    assert "周返乡" in client.get(reverse("screening:returnee_list")).content.decode()
    html = client.get(returnee.get_absolute_url()).content.decode()
    assert "健康监测" in html and returnee.person.doc_masked in html
    assert AuditEntry.objects.filter(action="view", object_type="screening.returnee").exists()


def test_the_outsider_gets_404_and_an_empty_list(client, ximazhuang_worker, returnee):
    login(client, ximazhuang_worker)
    assert client.get(returnee.get_absolute_url()).status_code == 404
    assert "周返乡" not in client.get(reverse("screening:returnee_list")).content.decode()


def test_the_export_is_masked_and_audited(client, qinghuayuan_worker, returnee):
    r = login(client, qinghuayuan_worker).get(reverse("screening:returnee_export"))
    cells = [str(c.value or "") for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row]
    assert "周返乡" in cells and returnee.person.doc_masked in cells
    assert vault.decrypt(returnee.person.doc_cipher) not in cells
    assert AuditEntry.objects.filter(action="export", object_type="screening.returnee").exists()
