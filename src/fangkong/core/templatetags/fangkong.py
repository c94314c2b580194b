import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import template

from fangkong.lib import vitals
from fangkong.lib.punctuation import punct

register = template.Library()


@register.filter
def fever(temperature: Any) -> bool:
    """A stored temperature of 37.3 ℃ or more (fangkong.lib.vitals)."""
    return vitals.is_fever(temperature)


@register.filter
def community_of(names: dict[str, str], code: str) -> str:
    """Name of the community a division code lies in, from a {code: name} dict."""
    return names.get((code or "")[:12], "") if names else ""


@register.filter
def get_label(labels: dict[str, str], key: str) -> str:
    return labels.get(key, key) if labels else key


@register.filter
def age(birth_date: dt.date | None) -> int | str:
    """A birth date shown as an age in years (never the date itself: see docs/privacy.md)."""
    from fangkong.lib.masking import age as _age

    years = _age(birth_date)
    return "" if years is None else years


@register.simple_tag(name="punct")
def punct_tag(mark: str) -> str:
    """{% punct "：" %}: the mark on a Chinese page, its English form otherwise."""
    return punct(mark)


@register.filter
def punct_join(items: Iterable[object] | None, mark: str = "、") -> str:
    """{{ labels|punct_join:"、" }}: joined with the mark in the active language."""
    return punct(mark).join(str(i) for i in items or ())
