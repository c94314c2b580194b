from django import template

register = template.Library()


@register.filter
def community_of(names: dict, code: str) -> str:
    """Name of the community a division code lies in, from a {code: name} dict."""
    return names.get((code or "")[:12], "") if names else ""


@register.filter
def get_label(labels: dict, key: str) -> str:
    return labels.get(key, key) if labels else key
