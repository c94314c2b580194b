"""Property: whatever is in the cells, the importer never crashes. Every
problem is a row error with a row number, a known column and a message, and
what is saved is exactly the good rows (or nothing, in "save nothing" mode)."""

import datetime as dt
import io

from django.conf import settings
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook

from conftest import QINGHUAYUAN
from fangkong.ledgers.tests.xlsx import fresh_id
from fangkong.lib.excel import MODE_GOOD_ROWS, MODE_NOTHING, cell_text, parse_date, run_import
from fangkong.people.ledger import PeopleLedger
from fangkong.people.models import Person

HEADERS = [c.header for c in PeopleLedger.columns]

# Text openpyxl can write (XML 1.0 forbids most control characters).
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=60)
_plausible = st.sampled_from(
    [
        "清华园社区",
        QINGHUAYUAN,
        QINGHUAYUAN + "001",
        "西马庄村",
        "410611005",
        "第一网格",
        "户主",
        "配偶",
        "护照",
        "居民身份证",
        "无证件",
        "男",
        "女",
        "独居老人、慢性病",
        "1985-06-15",
        "13812345678",
        "外籍",
        "泰山路1号",
        "张三",
        "X",
        "",
        " ",
        "#N/A",
        "'",
        "0",
    ]
)
cells = st.one_of(
    st.none(),
    _text,
    _plausible,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", '=HYPERLINK("http://x","y")', "=A1&B1", "=", "=NOW()"]),
    st.builds(lambda n, c: c * n, st.integers(200, 20_000), st.sampled_from(["张", "9", "a", " "])),
    st.builds(fresh_id),
)
rows = st.lists(st.lists(cells, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=8)


def _xlsx(data_rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in data_rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data_rows=rows, mode=st.sampled_from([MODE_NOTHING, MODE_GOOD_ROWS]))
def test_random_cells_never_crash_the_importer(qinghuayuan_worker, data_rows, mode):
    before = Person.objects.count()
    outcome = run_import(
        _xlsx(data_rows),
        PeopleLedger(user=qinghuayuan_worker),
        mode=mode,
        max_bytes=settings.FANGKONG_IMPORT_MAX_BYTES,
        max_rows=settings.FANGKONG_IMPORT_MAX_ROWS,
    )
    checked = outcome.checked
    last_row = 1 + len(data_rows)
    for e in checked.errors:
        assert 2 <= e.row <= last_row
        assert e.column in HEADERS or e.column == ""
        assert isinstance(e.message, str) and e.message
        assert "系统错误" not in e.message  # no validator blew up
    assert checked.total_rows <= len(data_rows)
    good = len([n for n, _v in checked.items if n not in checked.bad_rows])
    expected = 0 if (mode == MODE_NOTHING and checked.bad_rows) else good
    assert outcome.saved_rows == expected
    assert Person.objects.count() - before == expected
    event("some rows saved" if expected else "nothing saved")


@given(st.one_of(cells, st.decimals(allow_nan=False, allow_infinity=False)))
def test_a_cell_always_has_a_text_and_a_date_or_a_value_error(value):
    assert isinstance(cell_text(value), str)
    try:
        parse_date(value)
    except (ValueError, OverflowError):
        pass


def _good_row(i: int) -> list:
    return ["清华园社区", "", f"测试路{i % 3}号", "王五", "", fresh_id(), "", "", "", "", "", "", ""]


@st.composite
def mostly_good_rows(draw):
    result = []
    for i in range(draw(st.integers(1, 6))):
        row = _good_row(i)
        for _ in range(draw(st.integers(0, 2))):
            row[draw(st.integers(0, len(HEADERS) - 1))] = draw(cells)
        result.append(row)
    return result


@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data_rows=mostly_good_rows(), mode=st.sampled_from([MODE_NOTHING, MODE_GOOD_ROWS]))
def test_a_few_bad_cells_among_good_rows_save_exactly_the_good_rows(qinghuayuan_worker, data_rows, mode):
    test_random_cells_never_crash_the_importer.hypothesis.inner_test(qinghuayuan_worker, data_rows, mode)
