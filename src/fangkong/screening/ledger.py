"""Returnee lists sent down from upper levels (上级下发返乡人员名单) as an Excel
ledger, imported through the shared mechanism (``fangkong.lib.excel`` and the
ledgers app: row-by-row errors, "save good rows" / "save nothing", background
task with progress).

Each row is matched to the registry (by the document number's blind index)
and to a destination community of the city (by code, or by name when the name
is unambiguous or qualified by its township); the destination must lie in the
importing user's jurisdiction. A good row becomes an arrival in that
community's queue (source "import"), merged with a pending arrival for the
same person. The column names are the file format, so they stay Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from fangkong.accounts.roles import SCREENING_IMPORT
from fangkong.accounts.scoping import scope_prefixes, user_can_see_code
from fangkong.checkpoints.origins import origin_resolve
from fangkong.lib.documents import make_resident_id
from fangkong.lib.excel import Column, Ledger, Row
from fangkong.lib.text import identifying_text
from fangkong.regions.models import Division
from fangkong.regions.selectors import city_code

from .choices import ArrivalSource, TravelMode
from .origins import origin_get
from .services import ARRIVAL_MAX_AGE_DAYS, ArrivalIn, arrivals_record

_TRAVEL_WORDS = {
    "火车": "train",
    "高铁": "train",
    "动车": "train",
    "火车/高铁": "train",
    "飞机": "flight",
    "航班": "flight",
    "客车": "bus",
    "大巴": "bus",
    "长途客车": "bus",
    "汽车": "bus",
    "自驾": "car",
    "私家车": "car",
    "其他": "other",
    "其它": "other",
}
TRAVEL_CHOICES = ("火车/高铁", "飞机", "长途客车", "自驾", "其他")


def _origin_from_text(text: str):
    """An origin from a code or a name (湖北省武汉市, 武汉市, 武汉)."""
    try:
        found = origin_resolve(text)
    except ValidationError:
        return None
    return origin_get(found.code)


class ReturneeListLedger(Ledger):
    """A returnee list: one row per person arriving in the city."""

    kind = "returnees"
    title = "返乡人员名单"
    columns = (
        Column("name", "姓名", required=True, help=_l("必填，不超过50个字。"), width=10),
        Column(
            "doc_number",
            "身份证号码",
            required=True,
            aliases=("证件号码", "身份证号", "公民身份号码", "身份证", "证件号"),
            help=_l("18位居民身份证号码，会核对校验位和出生日期。请把此列设为“文本”格式。"),
            width=22,
            text=True,
        ),
        Column(
            "phone",
            "手机号码",
            aliases=("电话", "联系电话", "手机", "手机号"),
            help=_l("选填，如 13812345678。"),
            width=16,
            text=True,
        ),
        Column(
            "origin",
            "来源地",
            required=True,
            aliases=("来自", "从何地返回", "出发地", "来源地区", "返乡前所在地"),
            help=_l("省或市，如 湖北省武汉市、武汉市、湖北省，或省市代码（42、4201）。"),
            width=16,
        ),
        Column(
            "arrived_on",
            "抵达日期",
            required=True,
            aliases=("返乡日期", "到达日期", "返回日期", "抵鹤日期"),
            help=_l("如 2020-01-23。不能晚于今天，不能早于60天前。"),
            width=12,
        ),
        Column(
            "community",
            "目的地村社区",
            required=True,
            aliases=("村社区", "村/社区", "目的地", "目的地社区", "所在村社区", "村社区代码", "区划代码"),
            help=_l(
                "12位村/社区区划代码（如 410611005007），或村/社区名称（如 清华园社区）；名称重复时写明乡镇，"
                "如 泰山路街道清华园社区。必须在您的辖区内。"
            ),
            width=22,
        ),
        Column(
            "address",
            "目的地住址",
            aliases=("住址", "地址", "现住址", "详细地址"),
            help=_l("选填，不超过200个字。"),
            width=28,
        ),
        Column(
            "travel_mode",
            "交通方式",
            help=_l("选填。"),
            allowed="、".join(TRAVEL_CHOICES),
            choices=TRAVEL_CHOICES,
            width=12,
        ),
        Column(
            "travel_number",
            "车次航班车牌",
            aliases=("车次", "航班", "车牌", "车次/航班/车牌", "车次/航班/车牌号"),
            help=_l("选填，如 G507、CZ3301、豫F12345。"),
            width=14,
        ),
    )
    notes = (
        _l("返乡人员名单填写说明"),
        _l("1. 每行填写一个人；第2行灰色斜体是示例，导入时会自动跳过。"),
        _l("2. 身份证号码、手机号码两列请设为“文本”格式，避免 Excel 把长数字改成科学计数法而丢失末尾数字。"),
        _l(
            "3. 已在人员库中的人员按身份证号码自动匹配；每一行都会进入目的地村/社区的“待处理抵达人员”，"
            "与该村/社区同一人尚未处理的抵达记录合并，不会重复。"
        ),
        _l("4. 导入时可选择“有错误时全部不保存”或“只保存正确的行”。每个错误都会列出行号、列和原因。"),
        _l("5. 只能导入您辖区内的村/社区。"),
    )

    def __init__(self, *, user):
        self.user = user
        self._seen_docs: dict[str, int] = {}
        self._places: dict[str, tuple[str | None, str | None]] = {}
        self._by_name: dict[str, list[Division]] | None = None

    def example_rows(self) -> list[dict[str, Any]]:
        prefixes = scope_prefixes(self.user, SCREENING_IMPORT)
        community = None
        if prefixes:
            community = (
                Division.objects.under(prefixes[0])
                .filter(level="community")
                .order_by("code")
                .values_list("short_name", flat=True)
                .first()
            )
        return [
            {
                "name": "王小明",
                "doc_number": make_resident_id("420102", dt.date(1990, 3, 8), 21),
                "phone": "13812345678",
                "origin": "湖北省武汉市",
                "arrived_on": "2020-01-23",
                "community": community or "清华园社区",
                "address": "幸福路12号院3号楼2单元301",
                "travel_mode": "火车/高铁",
                "travel_number": "G507",
            }
        ]

    # ------------------------------------------------------------ places

    def _communities_by_name(self) -> dict[str, list[Division]]:
        if self._by_name is None:
            self._by_name = {}
            city = city_code()
            towns = dict(Division.objects.under(city).filter(level="township").values_list("code", "short_name"))
            for d in Division.objects.under(city).filter(level="community").only("code", "short_name", "name"):
                for key in {d.short_name, d.name, towns.get(d.code[:9], "") + d.short_name}:
                    if key:
                        self._by_name.setdefault(key, []).append(d)
        return self._by_name

    def _place(self, text: str) -> tuple[str | None, str | None]:
        """(community code, error message)."""
        if text in self._places:
            return self._places[text]
        value = "".join(text.split())
        code, message = None, None
        if not value:
            message = _("请填写目的地村/社区。")
        elif value.isdigit():
            if (
                len(value) in (12, 15)
                and value.startswith(city_code())
                and Division.objects.filter(code=value, level__in=["community", "grid"]).exists()
            ):
                code = value
            else:
                message = _("区划代码不是本市的村/社区（应为12位，如 410611005007）。")
        else:
            found = self._communities_by_name().get(value, [])
            if len(found) == 1:
                code = found[0].code
            elif len(found) > 1:
                message = _("本市有 %(n)d 个同名村/社区，请写明乡镇（如 泰山路街道清华园社区）或填写区划代码。") % {
                    "n": len(found)
                }
            else:
                message = _("本市没有这个村/社区，请核对名称或填写区划代码。")
        if code and not user_can_see_code(self.user, code, SCREENING_IMPORT):
            code, message = None, _("目的地村/社区不在您的辖区内。")
        self._places[text] = (code, message)
        return code, message

    # ------------------------------------------------------------ one row

    def validate_row(self, row: Row) -> Any:
        from django.core.exceptions import ValidationError

        from fangkong.people.identity import recorded_identity

        raw_number = row.raw("doc_number")
        identity = None
        if isinstance(raw_number, float) and abs(raw_number) >= 1e9:
            row.error(
                "doc_number",
                _("身份证号码被 Excel 存成了数字，末尾几位可能已经丢失。请把此列设为“文本”格式后重新填写。"),
            )
        else:
            try:
                identity = recorded_identity(
                    name=row.text("name"), doc_number=row.text("doc_number"), phone=row.text("phone")
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for m in messages:
                        row.error(field if field in ("name", "doc_number", "phone") else "", m)
        if identity is not None and not row.text("name").strip():
            row.error("name", _("请填写姓名。"))
        origin = _origin_from_text(row.text("origin")) if row.text("origin") else None
        if origin is None:
            row.error(
                "origin",
                _("来源地不在全国省市列表中（如 湖北省武汉市、武汉市、42）。")
                if row.text("origin")
                else _("请填写来源地。"),
            )
        elif origin.code.startswith(city_code()):
            row.error("origin", _("来源地不能是本市。"))
        arrived_on = row.date("arrived_on")
        today = timezone.localdate()
        if arrived_on is None:
            if not row.text("arrived_on"):  # a badly written date was reported by row.date
                row.error("arrived_on", _("请填写抵达日期。"))
        elif arrived_on > today:
            row.error("arrived_on", _("抵达日期不能晚于今天。"))
        elif arrived_on < today - dt.timedelta(days=ARRIVAL_MAX_AGE_DAYS):
            row.error("arrived_on", _("抵达日期不能早于 %(n)d 天前。") % {"n": ARRIVAL_MAX_AGE_DAYS})
        community, message = self._place(row.text("community"))
        if message:
            row.error("community", message)
        address = _identifying(row, "address")
        if len(address) > 200:
            row.error("address", _("住址不能超过200个字。"))
        mode_text = row.text("travel_mode")
        travel_mode = ""
        if mode_text:
            travel_mode = _TRAVEL_WORDS.get(mode_text, mode_text if mode_text in TravelMode.values else "")
            if not travel_mode:
                row.error("travel_mode", _("交通方式无效，可填：%(c)s。") % {"c": "、".join(TRAVEL_CHOICES)})
        travel_number = "".join(_identifying(row, "travel_number").split())
        if len(travel_number) > 20:
            row.error("travel_number", _("车次/航班/车牌不能超过20个字符。"))
        if identity and identity.get("doc_index"):
            first = self._seen_docs.setdefault(identity["doc_index"], row.number)
            if first != row.number:
                row.error("doc_number", _("身份证号码与第%(row)d行重复。") % {"row": first})
        if not row.ok:
            return None
        return {
            "identity": identity,
            "origin_code": origin.code,
            "origin_name": origin.name,
            "arrived_on": arrived_on,
            "community": community,
            "address": address,
            "travel_mode": travel_mode,
            "travel_number": travel_number,
        }

    # ------------------------------------------------------------ saving

    def save(self, items: list[tuple[int, Any]]) -> dict[str, int]:
        with transaction.atomic():
            results = arrivals_record(
                actor=self.user,
                items=[
                    ArrivalIn(
                        division_code=v["community"],
                        identity=v["identity"],
                        source=ArrivalSource.IMPORT,
                        arrived_on=v["arrived_on"],
                        origin_code=v["origin_code"],
                        origin_name=v["origin_name"],
                        travel_mode=v["travel_mode"],
                        travel_number=v["travel_number"],
                        address=v["address"],
                        source_ref=f"import:row{number}",
                    )
                    for number, v in items
                ],
            )
        created = sum(1 for _a, was_created in results if was_created)
        merged = len(results) - created
        known = sum(1 for a, _c in results if a.person_id is not None)
        return {"rows": len(items), "arrivals": created, "merged": merged, "known_persons": known}


def _identifying(row: Row, key: str) -> str:
    """A cell of identifying text (address, travel number) normalized as every
    door does (fangkong.lib.text); a refused character is a row error."""
    from django.core.exceptions import ValidationError

    try:
        return identifying_text(row.text(key))
    except ValidationError as exc:
        row.error(key, exc.messages[0])
        return ""
