"""The watermark on every export is in the exporting user's language."""

import re

from django.utils import translation

from fangkong.lib.excel import watermark_text

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_the_watermark_is_chinese_by_default(qinghuayuan_worker):
    text = watermark_text(qinghuayuan_worker)
    assert "导出人" in text and qinghuayuan_worker.full_name in text and qinghuayuan_worker.username in text


def test_the_watermark_is_english_for_an_english_user(qinghuayuan_worker):
    with translation.override("en"):
        text = watermark_text(qinghuayuan_worker)
    assert qinghuayuan_worker.full_name in text and qinghuayuan_worker.username in text
    assert "Exported by" in text
    assert not CJK.search(text.replace(qinghuayuan_worker.full_name, "")), text
