"""Forms only shape the input; the rules live in screening.services so that
pages, the API and imports apply the same ones."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.lib.documents import DOCUMENT_TYPES

from .choices import Measure, TravelMode, VisitResult

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("不予处理的原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：途经本地未停留、重复登记、非本社区")}),
    )


class ReturneeForm(forms.Form):
    """Confirming an arrival as a returnee. Identity fields left blank keep what
    the arrival recorded (shown masked)."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    doc_type = forms.ChoiceField(label=_("证件类型"), choices=DOCUMENT_TYPES, required=False)
    doc_number = forms.CharField(
        label=_("证件号码"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    household = forms.IntegerField(label=_("现住户"), required=False)
    origin_code = forms.CharField(label=_("来源地"), max_length=6, required=False)
    arrived_on = forms.DateField(label=_("抵达日期"), widget=_DATE)
    travel_mode = forms.ChoiceField(label=_("交通方式"), choices=[("", "—"), *TravelMode.choices], required=False)
    travel_number = forms.CharField(label=_("车次/航班/车牌"), max_length=20, required=False)
    risk_area_contact = forms.BooleanField(label=_("14天内到过风险地区"), required=False)
    case_contact = forms.BooleanField(label=_("接触过确诊或疑似病例"), required=False)
    contact_note = forms.CharField(label=_("接触情况说明"), max_length=200, required=False)
    measure = forms.ChoiceField(label=_("决定措施"), choices=Measure.choices, widget=forms.RadioSelect)
    measure_reason = forms.CharField(label=_("决定理由"), max_length=200)
    place = forms.CharField(label=_("隔离/监测地点"), max_length=200, required=False)
    site_name = forms.CharField(label=_("集中隔离点名称"), max_length=100, required=False)


class CampaignForm(forms.Form):
    division_code = forms.CharField(label=_("排查范围（村/社区或乡镇街道）"), max_length=15)
    name = forms.CharField(
        label=_("名称"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：春节返乡人员第一轮入户排查")}),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=_DATE, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("结束日期"), widget=_DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ArrivalRuleForm(forms.Form):
    """Which inbound checkpoint passages queue an arrival (HQ)."""

    everyone = forms.BooleanField(label=_("所有入境登记（含本地居民往来）"), required=False)
    outside_city = forms.BooleanField(label=_("来自市外的人员"), required=False)
    risk_area = forms.BooleanField(label=_("来自风险地区的人员"), required=False)
    fever = forms.BooleanField(label=_("体温≥37.3℃的人员"), required=False)
    not_registered = forms.BooleanField(label=_("未在目的地村/社区登记的人员"), required=False)
    reason = forms.CharField(label=_("调整理由"), max_length=200)


class VisitForm(forms.Form):
    result = forms.ChoiceField(label=_("走访结果"), choices=VisitResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class FoundPersonForm(forms.Form):
    """One person from elsewhere found at the door (a row of the visit form)."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    doc_number = forms.CharField(
        label=_("身份证号码"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    origin_code = forms.CharField(label=_("来源地"), max_length=6, required=False)
    arrived_on = forms.DateField(label=_("抵达日期"), required=False, widget=_DATE)
    travel_mode = forms.ChoiceField(label=_("交通方式"), choices=[("", "—"), *TravelMode.choices], required=False)
    travel_number = forms.CharField(label=_("车次/航班/车牌"), max_length=20, required=False)

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not any(d.get(k) for k in ("name", "doc_number", "phone"))


FoundPersonFormSet = forms.formset_factory(FoundPersonForm, extra=3, max_num=10, absolute_max=10)


class SelfReportForm(forms.Form):
    """The public self-report (主动配合登记). ``website`` is a honeypot: people
    never see it; a bot that fills it in is thanked and ignored."""

    reporter = forms.ChoiceField(
        label=_("谁在登记"),
        choices=[("self", _("本人")), ("family", _("家属代报"))],
        initial="self",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("返乡人员姓名"), max_length=50)
    doc_number = forms.CharField(
        label=_("身份证号码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "placeholder": _("18位身份证号码")}),
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    province = forms.CharField(label=_("从哪里来（省）"), max_length=2)
    city = forms.CharField(label=_("市"), max_length=6, required=False)
    arrived_on = forms.DateField(label=_("抵达日期"), widget=_DATE)
    travel_mode = forms.ChoiceField(label=_("交通方式"), choices=[("", "—"), *TravelMode.choices], required=False)
    travel_number = forms.CharField(label=_("车次/航班/车牌号"), max_length=20, required=False)
    county = forms.CharField(label=_("县区"), max_length=6, required=False)
    township = forms.CharField(label=_("乡镇/街道"), max_length=9, required=False)
    destination_code = forms.CharField(label=_("村/社区"), max_length=15)
    address = forms.CharField(
        label=_("在本地的住址"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：泰山路12号院3号楼2单元301")}),
    )
    website = forms.CharField(required=False, max_length=200)
