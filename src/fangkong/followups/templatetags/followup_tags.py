from django import template

from ..choices import CheckStatus, DeliveryStatus, FollowUpStatus, ReferralStatus

register = template.Library()

_LABELS = {}
for _choices in (FollowUpStatus, ReferralStatus, DeliveryStatus, CheckStatus):
    for _value, _label in _choices.choices:
        _LABELS.setdefault(_value, _label)


@register.filter
def status_label(value: str) -> str:
    """A status code from the status history, in the user's language."""
    return str(_LABELS.get(value, value))


@register.filter
def can(user, capability: str) -> bool:
    """Whether ``user`` has ``capability`` anywhere (for links in the navigation)."""
    from fangkong.accounts.scoping import has_capability

    return bool(getattr(user, "is_authenticated", False)) and has_capability(user, capability)
