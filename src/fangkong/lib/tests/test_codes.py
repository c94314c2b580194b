import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangkong.lib.codes import ancestors, child_length, collapse_prefixes, level_of, next_prefix, parent_of


def test_codes_are_their_own_paths():
    assert ancestors("410611005007") == ["41", "4106", "410611", "410611005"]
    assert parent_of("410611005007001") == "410611005007"
    assert parent_of("41") is None
    assert level_of("410611005") == "township"
    assert child_length("410611005007") == 15


def test_next_prefix_bounds_every_descendant():
    assert next_prefix("410611") == "410612"
    assert next_prefix("410619") == "410620"
    assert next_prefix("410621109") == "410621110"
    assert next_prefix("0999") == "1000"
    hi = next_prefix("4109")
    assert "4109" < "410999999999999" < hi == "4110"
    assert next_prefix("zhang") == "zhanh"
    with pytest.raises(ValueError):
        next_prefix("")


@given(st.from_regex(r"\A[0-8][0-9]{1,14}\Z"), st.from_regex(r"\A[0-9]{0,10}\Z"))
def test_every_descendant_and_nothing_else_is_in_range(prefix, tail):
    lo, hi = prefix, next_prefix(prefix)
    assert lo <= prefix + tail < hi
    assert len(hi) == len(prefix) and hi.isdigit()


@pytest.mark.django_db
def test_a_code_ending_in_nine_stays_in_scope_under_an_icu_collation():
    """On PostgreSQL, compare with an ICU collation as a non-C database would."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("collations are a PostgreSQL matter")
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
        if cur.fetchone() is None:
            pytest.skip("no ICU collations in this PostgreSQL")
        # 白寺镇 410621109 and one of its villages
        lo, hi = "410621109", next_prefix("410621109")
        cur.execute(
            'SELECT %s >= %s COLLATE "und-x-icu" AND %s < %s COLLATE "und-x-icu"',
            ["410621109001", lo, "410621109001", hi],
        )
        assert cur.fetchone()[0] is True


def test_collapse_prefixes_keeps_the_widest():
    assert collapse_prefixes(["410611", "4106", "410621005"]) == ["4106"]
    assert collapse_prefixes(["410611005007", "410621002216"]) == ["410611005007", "410621002216"]
