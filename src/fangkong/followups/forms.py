"""Form shapes only; the rules live in followups.services so that pages and the
API apply the same ones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.lib.vitals import MAX_TYPED

from .choices import DeliveryCategory, FollowUpKind, Symptom


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=_("措施"), choices=FollowUpKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("原因"), max_length=200, help_text=_("依据的规则，如：14天内自武汉返回"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False, help_text=_("居家隔离默认为住址"))
    site_name = forms.CharField(label=_("集中隔离点"), max_length=100, required=False)
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("天数"), required=False, min_value=1, max_value=60, help_text=_("留空按现行规定"))


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=30, initial=7)
    reason = forms.CharField(label=_("原因"), max_length=200)


class TransferForm(forms.Form):
    kind = forms.ChoiceField(label=_("转为"), choices=FollowUpKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=200)
    site_name = forms.CharField(label=_("集中隔离点"), max_length=100, required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    days = forms.IntegerField(
        label=_("天数"), required=False, min_value=1, max_value=60, help_text=_("留空为原期限剩余天数")
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)


class CheckForm(forms.Form):
    # Blank or not, what was typed goes to the service (fangkong.lib.vitals), which says what is wrong.
    temperature = forms.CharField(
        label=_("体温（℃）"),
        max_length=MAX_TYPED,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5", "class": "big-number"}
        ),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("症状"), choices=Symptom.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class DeliveryForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=DeliveryCategory.choices, widget=forms.RadioSelect)
    items = forms.CharField(label=_("物品"), max_length=200)
    needed_by = forms.DateTimeField(
        label=_("需送达时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("处理结果"), max_length=200)


class TakeForm(forms.Form):
    volunteer_name = forms.CharField(label=_("志愿者姓名（可选）"), max_length=50, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
