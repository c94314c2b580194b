from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS
from .models import ImportJob


class ImportForm(forms.Form):
    """Only shapes the input; the file itself is checked by the service."""

    # Other apps add kinds when they start (see kinds.py), so the choices are read when used.
    kind = forms.ChoiceField(
        label=_("台账类型"),
        choices=lambda: [(k.code, k.label) for k in KINDS.values()],
        initial="people",
        widget=forms.HiddenInput,
    )
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        error_messages={"required": _("请选择要导入的文件。"), "empty": _("上传的文件是空的。")},
    )
    # "Save nothing" is the default: a half-imported ledger is the harder mistake to notice.
    mode = forms.ChoiceField(
        label=_("发现错误时"), choices=ImportJob.Mode.choices, initial=ImportJob.Mode.NOTHING, widget=forms.RadioSelect
    )
