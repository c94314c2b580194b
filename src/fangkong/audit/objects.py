"""How the audit trail names what it is about, for an inspector: the kind of
object in words, its id (for a person the masked name, never a number), a link
to its page when the reader may see it, and the entry's facts in words."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.accounts.roles import CHECKPOINTS_VIEW, FOLLOWUPS_VIEW, PEOPLE_VIEW, SCREENING_VIEW
from fangkong.accounts.scoping import has_capability


@dataclass(frozen=True)
class Kind:
    label: object
    url: str = ""  # the detail page's URL name, taking the pk
    capability: str = ""  # what reading that page takes


KINDS: dict[str, Kind] = {
    "people.person": Kind(pgettext_lazy("audit object", "人员"), "people:person_detail", PEOPLE_VIEW),
    "people.household": Kind(pgettext_lazy("audit object", "户"), "people:household_detail", PEOPLE_VIEW),
    "checkpoints.checkpoint": Kind(pgettext_lazy("audit object", "卡点"), "checkpoints:detail", CHECKPOINTS_VIEW),
    "checkpoints.passage": Kind(pgettext_lazy("audit object", "通行登记"), "checkpoints:passage", CHECKPOINTS_VIEW),
    "checkpoints.shift": Kind(pgettext_lazy("audit object", "值守班次"), "checkpoints:shift", CHECKPOINTS_VIEW),
    "checkpoints.riskarea": Kind(pgettext_lazy("audit object", "风险地区")),
    "screening.arrival": Kind(pgettext_lazy("audit object", "到达人员"), "screening:arrival_detail", SCREENING_VIEW),
    "screening.returnee": Kind(pgettext_lazy("audit object", "返乡人员"), "screening:returnee_detail", SCREENING_VIEW),
    "screening.campaign": Kind(pgettext_lazy("audit object", "入户排查"), "screening:campaign_detail", SCREENING_VIEW),
    "screening.visit": Kind(pgettext_lazy("audit object", "走访记录")),
    "followups.followup": Kind(pgettext_lazy("audit object", "管控措施"), "followups:detail", FOLLOWUPS_VIEW),
    "followups.healthcheck": Kind(pgettext_lazy("audit object", "健康监测")),
    "followups.referral": Kind(
        pgettext_lazy("audit object", "发热门诊转诊"), "followups:referral_detail", FOLLOWUPS_VIEW
    ),
    "followups.deliveryrequest": Kind(
        pgettext_lazy("audit object", "代办服务"), "followups:delivery_detail", FOLLOWUPS_VIEW
    ),
    "followups.measurepolicy": Kind(pgettext_lazy("audit object", "措施期限规则")),
    "approvals.approvalrequest": Kind(pgettext_lazy("audit object", "审批")),
    "accounts.assignment": Kind(pgettext_lazy("audit object", "岗位分配")),
    "accounts.apitoken": Kind(pgettext_lazy("audit object", "API令牌")),
    "accounts.user": Kind(pgettext_lazy("audit object", "用户")),
    "ledgers.importjob": Kind(pgettext_lazy("audit object", "导入任务")),
    "audit.auditentry": Kind(pgettext_lazy("audit object", "审计记录")),
    "regions.division": Kind(pgettext_lazy("audit object", "区划")),
}


def kind_choices() -> list[tuple[str, str]]:
    return [(key, str(kind.label)) for key, kind in KINDS.items()]


def kind_label(object_type: str) -> str:
    kind = KINDS.get(object_type)
    return str(kind.label) if kind else object_type


def masked_name(name: str) -> str:
    """The family name and a star per other character: 张三 → 张*."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


# The facts an entry's ``detail`` carries, in words.
_KEYS = {
    "kind": _("方式"),
    "results": _("结果数"),
    "field": _("字段"),
    "rows": _("行数"),
    "via": _("途径"),
    "status": _("状态"),
    "why": _("原因"),
    "view": _("页面"),
    "method": _("请求"),
    "limit_reached": _("已达上限"),
    "username": _("用户名"),
    "op": _("操作"),
    "role": _("角色"),
    "direction": _("方向"),
    "flagged": _("重点关注"),
    "source": _("来源"),
    "decision": _("决定"),
    "measure": _("措施"),
    "batch": _("批量"),
    "days": _("天数"),
    "extend_days": _("延长天数"),
    "staff": _("值守人数"),
    "level": _("级别"),
    "checkpoint": _("卡点"),
    "fields": _("字段"),
    "merged": _("合并"),
    "found": _("发现人数"),
    "result": _("结果"),
}
_VALUES = {
    ("kind", "doc"): _("身份证号"),
    ("kind", "phone"): _("手机号"),
    ("kind", "name"): _("姓名"),
    ("kind", "pinyin"): _("拼音"),
    ("kind", "address"): _("地址"),
    ("kind", "plate"): _("车牌"),
    ("field", "doc_number"): _("证件号码"),
    ("field", "phone"): _("手机号"),
    ("why", "out_of_scope"): _("超出辖区"),
    ("why", "forbidden"): _("无权限"),
    ("via", "api"): _("接口"),
    ("via", "audit"): _("审计页面"),
    ("via", "checkpoint"): _("卡点"),
    ("op", "create"): _("创建"),
    ("op", "revoke"): _("撤销"),
}


def describe_detail(detail: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in (detail or {}).items():
        if isinstance(value, bool):
            shown = _("是") if value else _("否")
        else:
            shown = _VALUES.get((key, value), value)
        out.append((str(_KEYS.get(key, key)), str(shown)))
    return out


def _numeric(object_id: str) -> bool:
    return object_id.isdigit() and len(object_id) <= 18  # a primary key, not past a bigint


@dataclass
class Shown:
    label: str
    url: str = ""


def describe_objects(user, entries) -> dict[int, Shown]:
    """entry id → what to show for its object: kind + id (a person's masked
    name), and a link when the object still exists and ``user`` may read it."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.object_type in KINDS and _numeric(e.object_id):
            wanted.setdefault(e.object_type, set()).add(int(e.object_id))
    found: dict[tuple[str, int], tuple[str, str]] = {}  # (type, id) → (division_code, name)
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except LookupError:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        fields = ["pk", "division_code" if "division_code" in names else "pk"]
        if object_type == "people.person":
            fields.append("name")
        for row in model.objects.filter(pk__in=ids).values_list(*fields):
            found[(object_type, row[0])] = (row[1] if "division_code" in names else "", row[2] if len(row) > 2 else "")
    shown = {}
    for e in entries:
        if not e.object_type:
            shown[e.pk] = Shown("")
            continue
        label = f"{kind_label(e.object_type)} #{e.object_id}" if e.object_id else kind_label(e.object_type)
        hit = found.get((e.object_type, int(e.object_id))) if _numeric(e.object_id) else None
        url = ""
        if hit is not None:
            code, name = hit
            if name:
                label = f"{label} {masked_name(name)}"
            kind = KINDS[e.object_type]
            if kind.url and code and has_capability(user, kind.capability, code):
                url = reverse(kind.url, args=[int(e.object_id)])
        shown[e.pk] = Shown(label, url)
    return shown
