import pytest

from fangkong.lib.codes import ancestors, child_length, collapse_prefixes, level_of, next_prefix, parent_of


def test_codes_are_their_own_paths():
    assert ancestors("410611005007") == ["41", "4106", "410611", "410611005"]
    assert parent_of("410611005007001") == "410611005007"
    assert parent_of("41") is None
    assert level_of("410611005") == "township"
    assert child_length("410611005007") == 15


def test_next_prefix_bounds_every_descendant():
    assert next_prefix("410611") == "410612"
    hi = next_prefix("4109")
    assert "4109" < "410999999999999" < hi
    with pytest.raises(ValueError):
        next_prefix("")


def test_collapse_prefixes_keeps_the_widest():
    assert collapse_prefixes(["410611", "4106", "410621005"]) == ["4106"]
    assert collapse_prefixes(["410611005007", "410621002216"]) == ["410611005007", "410621002216"]
