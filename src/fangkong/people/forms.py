from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.lib.documents import DOCUMENT_TYPES

from .choices import TAGS, Relation, Sex


class PersonForm(forms.Form):
    """Only shapes the input; the rules live in people.services so that pages,
    API and imports apply the same ones."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DOCUMENT_TYPES, initial="ric")
    doc_number = forms.CharField(label=_("证件号码"), max_length=40, required=False)
    doc_reason = forms.CharField(label=_("无身份证原因"), max_length=200, required=False)
    phone = forms.CharField(label=_("电话"), max_length=30, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    relation = forms.ChoiceField(label=_("与户主关系"), choices=[("", "—"), *Relation.choices], required=False)
    occupation = forms.CharField(label=_("职业"), max_length=50, required=False)
    tag_elderly_alone = forms.BooleanField(label=TAGS["tag_elderly_alone"], required=False)
    tag_low_income = forms.BooleanField(label=TAGS["tag_low_income"], required=False)
    tag_disabled = forms.BooleanField(label=TAGS["tag_disabled"], required=False)
    tag_pregnant = forms.BooleanField(label=TAGS["tag_pregnant"], required=False)
    tag_chronic = forms.BooleanField(label=TAGS["tag_chronic"], required=False)

    def tag_values(self) -> dict[str, bool]:
        return {f: self.cleaned_data.get(f, False) for f in TAGS}

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "doc_type": d["doc_type"],
            "doc_number": d.get("doc_number", ""),
            "doc_reason": d.get("doc_reason", ""),
            "phone": d.get("phone", ""),
            "sex": d.get("sex") or "U",
            "birth_date": d.get("birth_date"),
            "relation": d.get("relation", ""),
            "occupation": d.get("occupation", ""),
            "tags": self.tag_values(),
        }


class HouseholdForm(forms.Form):
    division_code = forms.CharField(label=_("所在村/社区或网格"), max_length=15)
    address = forms.CharField(label=_("地址"), max_length=200)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), min_length=2, max_length=200)
