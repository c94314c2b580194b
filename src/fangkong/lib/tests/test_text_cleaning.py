"""fangkong.lib.text: the one cleaning of free text (white space collapsed, NUL
dropped, cut to its length) and of a reason (the same, at least 2 characters)."""

import pytest
from django.core.exceptions import ValidationError

from fangkong.lib.text import clean_text, reason_text


def test_free_text_is_collapsed_and_cut():
    assert clean_text("  高铁站\x00出站口 \n 东侧 ", 200) == "高铁站出站口 东侧"
    assert clean_text(None, 10) == "" and clean_text("一二三四五", 3) == "一二三"


def test_a_reason_needs_two_characters_and_says_so():
    assert reason_text("  期满 解除 ") == "期满 解除"
    assert reason_text("理" * 300) == "理" * 200
    for blank in ("", None, " 好 ", "\x00"):
        with pytest.raises(ValidationError) as exc:
            reason_text(blank, field="decision_reason")
        assert exc.value.message_dict == {"decision_reason": ["请填写理由（至少2个字）。"]}
