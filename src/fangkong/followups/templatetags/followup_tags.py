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
