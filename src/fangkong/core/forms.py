from __future__ import annotations

from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching fields of a form
    (unknown fields go to the top of the form), keeping what the user typed."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for m in messages:
                form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)
