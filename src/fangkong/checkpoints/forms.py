"""Forms only shape the input; the rules live in checkpoints.services so that
the pages, the API and the batch upload apply the same ones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import FixedChoiceField
from fangkong.lib.documents import DOCUMENT_TYPES
from fangkong.lib.plates import PROVINCES
from fangkong.lib.vitals import MAX_TYPED

from .choices import Direction, Kind, Level, Outcome, Purpose, RiskLevel
from .services import PassageIn

# The plate's province picker: Henan first (this is Hebi), then the rest; an
# empty choice for plates without one (embassy, armed police, military).
PLATE_PROVINCES = [("豫", "豫"), *[(p, p) for p in PROVINCES if p != "豫"], ("", _("无"))]
MAX_PASSENGER_ROWS = 12


class CheckpointForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    division_code = forms.CharField(label=_("所在区划"), max_length=15)
    location = forms.CharField(label=_("位置"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CheckpointEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    location = forms.CharField(label=_("位置"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class StatusForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("结束"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    staff = forms.MultipleChoiceField(label=_("值守人员（账号）"), required=False, widget=forms.CheckboxSelectMultiple)
    volunteers = forms.CharField(label=_("志愿者、党员（姓名，用顿号分隔）"), max_length=300, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [(str(u.pk), u.display()) for u in candidates]


class HandoverForm(forms.Form):
    handover_note = forms.CharField(
        label=_("交接班记录"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class RiskAreaForm(forms.Form):
    origin_code = forms.CharField(label=_("地区（省或市）"), max_length=30)
    level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices)
    starts_on = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("截止日期（可不填）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class WorkNormForm(forms.Form):
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    text = forms.CharField(label=_("规范内容"), max_length=200)


class RecheckForm(forms.Form):
    temperature = forms.CharField(label=_("复测体温（℃）"), max_length=MAX_TYPED, required=False)
    outcome = forms.ChoiceField(label=_("处置结果"), choices=[("", "—"), *Outcome.choices], required=False)


class PassageForm(forms.Form):
    """The registration screen. Passenger rows are ``pN_doc_number``,
    ``pN_name``, ``pN_phone``, ``pN_temperature`` (N from 0), read by
    ``passenger_rows``."""

    direction = FixedChoiceField(
        label=_("方向"), choices=Direction.choices, initial=Direction.IN, widget=forms.RadioSelect
    )
    doc_type = FixedChoiceField(label=_("证件类型"), choices=DOCUMENT_TYPES, initial="ric", required=False)
    doc_number = forms.CharField(label=_("身份证号"), max_length=40, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=30, required=False)
    temperature = forms.CharField(label=_("体温（℃）"), max_length=MAX_TYPED, required=False)
    plate_province = FixedChoiceField(label=_("省份"), choices=PLATE_PROVINCES, initial="豫", required=False)
    plate = forms.CharField(label=_("车牌号"), max_length=20, required=False)
    origin = forms.CharField(label=_("来源地（省/市）"), max_length=40, required=False)
    destination = forms.CharField(label=_("目的地村/社区"), max_length=15, required=False)
    destination_text = forms.CharField(label=_("目的地村/社区"), max_length=60, required=False)
    purpose = FixedChoiceField(label=_("事由"), choices=[("", "—"), *Purpose.choices], required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    passenger_count = forms.IntegerField(
        min_value=0, max_value=MAX_PASSENGER_ROWS, required=False, widget=forms.HiddenInput
    )

    def plate_value(self) -> str:
        """The typed plate with the picked province put in front when it was left
        out (typing 豫 with gloves on is slow): F12345 → 豫F12345."""
        plate = "".join((self.cleaned_data.get("plate") or "").split()).upper()
        province = self.cleaned_data.get("plate_province") or ""
        if (
            plate
            and province
            and plate[:1].isascii()
            and plate[:1].isalpha()
            and len(plate.replace("·", "")) in (6, 7)
            and not plate.startswith("WJ")
        ):
            plate = province + plate
        return plate

    def destination_value(self) -> str:
        code = (self.cleaned_data.get("destination") or "").strip()
        return code or (self.cleaned_data.get("destination_text") or "").strip()

    def passenger_rows(self) -> list[dict]:
        """Passenger rows as typed (blank rows dropped), in order."""
        count = min(self.cleaned_data.get("passenger_count") or 0, MAX_PASSENGER_ROWS)
        rows = []
        for i in range(count):
            row = {
                f: (self.data.get(f"p{i}_{f}") or "").strip()[:50]
                for f in ("doc_number", "name", "phone", "temperature")
            }
            row["index"] = i
            rows.append(row)
        return rows

    def to_input(self, *, destination: str) -> tuple[PassageIn, list[PassageIn], list[int]]:
        d = self.cleaned_data
        main = PassageIn(
            direction=d.get("direction") or "",
            temperature=d.get("temperature") or "",
            doc_number=d.get("doc_number") or "",
            doc_type=d.get("doc_type") or "ric",
            name=d.get("name") or "",
            phone=d.get("phone") or "",
            plate=self.plate_value(),
            origin=d.get("origin") or "",
            destination=destination,
            purpose=d.get("purpose") or "",
            note=d.get("note") or "",
            client_key=d.get("client_key") or None,
        )
        passengers, indexes = [], []
        for row in self.passenger_rows():
            if not any(row[f] for f in ("doc_number", "name", "phone", "temperature")):
                continue
            passengers.append(
                PassageIn(
                    direction="",
                    temperature=row["temperature"],
                    doc_number=row["doc_number"],
                    name=row["name"],
                    phone=row["phone"],
                )
            )
            indexes.append(row["index"])
        return main, passengers, indexes
