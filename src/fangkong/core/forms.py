from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class FixedChoiceField(forms.ChoiceField):
    """A ChoiceField whose choices are fixed in code: each form instance shares
    them instead of deep-copying them (Django copies every field of a form per
    instance; a list of 34 provinces costs ≈ 0.25 ms of CPU each time, on a
    screen that checkpoint phones submit hundreds of times a second). A form
    that needs other choices assigns a new list (``field.choices = …``), which
    never touches the shared one."""

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoiceField:
        # The widget's copy shares the choices too (Select's own copy runs them
        # through normalize_choices again); deepcopy finds it in memo.
        widget = copy.copy(self.widget)
        widget.attrs = self.widget.attrs.copy()
        memo[id(self.widget)] = widget
        result: FixedChoiceField = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices  # type: ignore[attr-defined]  # ChoiceField's, not in django-stubs
        return result


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
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
