"""Chinese punctuation between translated words, in the active language.

A template or message that joins translated pieces with "：", "（…）", "、"…
would carry Chinese punctuation into an English page. ``punct("：")`` is "："
when the active language is Chinese and ": " otherwise; ``{% punct "：" %}``
is the same in templates (fangkong.core.templatetags.fangkong)."""

from __future__ import annotations

from django.utils.translation import get_language

ENGLISH = {"：": ": ", "（": " (", "）": ")", "，": ", ", "、": ", ", "；": "; ", "。": ". "}


def punct(mark: str) -> str:
    if (get_language() or "zh").startswith("zh"):
        return mark
    return ENGLISH.get(mark, mark)
