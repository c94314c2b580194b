"""The household and person ledger (户籍人员台账) as an Excel file.

One row per person; the household is the address within a community (or one
of its grids): rows with the same community and address are one household,
and an address that already has a household in the registry adds the person
to it. Validation is the services' own (``services._person_fields`` over
``identity.protect_document`` / ``protect_phone`` / ``clean_name``) and the
place must be a community or grid where the user may edit people, so a row the
import accepts is a row the form would accept. The generic part (reading,
header, modes, progress, limits) is ``fangkong.lib.excel``.

The column names are the file format, shared by every office whatever
language its users pick, so they stay Chinese; help texts are translated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from fangkong.accounts.roles import PEOPLE_EDIT
from fangkong.accounts.scoping import scope_filter, scope_prefixes, user_can_see_code
from fangkong.lib.codes import is_code
from fangkong.lib.documents import DOCUMENT_TYPES, make_resident_id
from fangkong.lib.excel import Column, Ledger, Row
from fangkong.lib.masking import mask_numbers
from fangkong.lib.text import identifying_text
from fangkong.regions.models import Division
from fangkong.regions.services import division_counts_adjust

from . import services
from .choices import TAGS, Relation, Sex
from .models import Household, Person

BATCH = 1000

# Values people write in the ledger → stored codes. The labels of the choices
# (in Chinese and in the active language) are always accepted too.
_DOC_TYPE_WORDS = {
    "身份证": "ric",
    "居民身份证": "ric",
    "二代身份证": "ric",
    "护照": "passport",
    "港澳通行证": "hk_macau",
    "港澳居民来往内地通行证": "hk_macau",
    "回乡证": "hk_macau",
    "台胞证": "taiwan",
    "台湾居民来往大陆通行证": "taiwan",
    "其他": "other",
    "其它": "other",
    "其他证件": "other",
    "无": "none",
    "无证件": "none",
}
_SEX_WORDS = {"男": Sex.MALE, "女": Sex.FEMALE, "未知": Sex.UNKNOWN, "m": Sex.MALE, "f": Sex.FEMALE, "u": Sex.UNKNOWN}
_RELATION_WORDS = {
    "户主": "head",
    "本人": "head",
    "配偶": "spouse",
    "妻": "spouse",
    "妻子": "spouse",
    "夫": "spouse",
    "丈夫": "spouse",
    "子女": "child",
    "子": "child",
    "女": "child",
    "儿子": "child",
    "女儿": "child",
    "长子": "child",
    "次子": "child",
    "长女": "child",
    "次女": "child",
    "父母": "parent",
    "父亲": "parent",
    "母亲": "parent",
    "父": "parent",
    "母": "parent",
    "孙子女": "grandchild",
    "孙子": "grandchild",
    "孙女": "grandchild",
    "外孙子": "grandchild",
    "外孙女": "grandchild",
    "祖父母": "grandparent",
    "祖父": "grandparent",
    "祖母": "grandparent",
    "外祖父": "grandparent",
    "外祖母": "grandparent",
    "兄弟姐妹": "sibling",
    "兄": "sibling",
    "弟": "sibling",
    "姐": "sibling",
    "妹": "sibling",
    "儿媳/女婿": "in_law",
    "儿媳": "in_law",
    "女婿": "in_law",
    "其他": "other",
    "其它": "other",
}
_TAG_WORDS = {
    "独居老人": "tag_elderly_alone",
    "低保户": "tag_low_income",
    "低保": "tag_low_income",
    "残疾人": "tag_disabled",
    "残疾": "tag_disabled",
    "孕产妇": "tag_pregnant",
    "慢性病": "tag_chronic",
}
_TAG_SPLIT = re.compile(r"[、,，;；/\s]+")

DOC_TYPE_CHOICES = ("居民身份证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "其他证件", "无证件")
RELATION_CHOICES = ("户主", "配偶", "子女", "父母", "孙子女", "祖父母", "兄弟姐妹", "儿媳/女婿", "其他")
SEX_CHOICES = ("男", "女", "未知")
TAG_CHOICES = ("独居老人", "低保户", "残疾人", "孕产妇", "慢性病")


def _words(base: dict[str, str], choices) -> dict[str, str]:
    words = {k.lower(): v for k, v in base.items()}
    for code, label in choices:
        words.setdefault(str(label).lower(), code)
        words.setdefault(str(code).lower(), code)
    return words


class PeopleLedger(Ledger):
    """Households and persons (户籍人员台账), one row per person."""

    kind = "people"
    title = "人员台账"
    columns = (
        Column(
            "community",
            "村社区代码或名称",
            required=True,
            aliases=(
                "村社区",
                "村/社区",
                "村（社区）",
                "社区",
                "村",
                "村社区名称",
                "村社区代码",
                "区划代码",
                "所属村社区",
            ),
            help=_l(
                "12位村/社区区划代码（如 410611005007），或村/社区名称（如 清华园社区）。"
                "也可填15位网格代码。必须在您的辖区内。"
            ),
            allowed=_l("您辖区内的村/社区"),
            width=20,
        ),
        Column(
            "grid",
            "网格",
            aliases=("所属网格", "网格名称", "网格代码"),
            help=_l("选填。该村/社区下的网格名称（如 第一网格）或15位网格代码。"),
            width=12,
        ),
        Column(
            "address",
            "地址",
            required=True,
            aliases=("住址", "家庭住址", "居住地址", "户地址", "现住址"),
            help=_l("必填，不超过200个字。同一村/社区内地址相同的人员归为一户；已有该地址的户时，人员加入该户。"),
            width=30,
        ),
        Column("name", "姓名", required=True, help=_l("必填，不超过50个字，不能含数字。"), width=10),
        Column(
            "doc_type",
            "证件类型",
            aliases=("证件种类",),
            help=_l("不填时为居民身份证。没有居民身份证时请选择其他证件类型，并填写“无证件原因”。"),
            allowed="、".join(DOC_TYPE_CHOICES),
            choices=DOC_TYPE_CHOICES,
            width=14,
        ),
        Column(
            "doc_number",
            "证件号码",
            required=True,
            aliases=("身份证号", "身份证号码", "公民身份号码", "证件号", "身份证"),
            help=_l(
                "居民身份证为18位（末位可为X），会核对校验位和出生日期；性别和出生日期以身份证为准。"
                "请把此列设为“文本”格式。证件类型为“无证件”时留空。已登记的号码不会重复登记。"
            ),
            width=22,
            text=True,
        ),
        Column(
            "doc_reason",
            "无证件原因",
            aliases=("无身份证原因",),
            help=_l("没有居民身份证时必填，如：外籍、港澳台居民、未办理。"),
            width=16,
        ),
        Column(
            "phone",
            "电话",
            aliases=("联系电话", "手机", "手机号", "手机号码", "电话号码"),
            help=_l("选填。中国大陆手机或固定电话，如 13812345678、0392-3301234。"),
            width=16,
            text=True,
        ),
        Column(
            "sex",
            "性别",
            help=_l("选填；有身份证号码时以身份证为准。"),
            allowed="、".join(SEX_CHOICES),
            choices=SEX_CHOICES,
            width=8,
        ),
        Column("birth_date", "出生日期", help=_l("选填，如 1985-06-15；有身份证号码时以身份证为准。"), width=12),
        Column(
            "relation",
            "与户主关系",
            aliases=("关系",),
            help=_l("选填。户主所在行请填“户主”，该户尚无户主时设为户主。"),
            allowed="、".join(RELATION_CHOICES),
            choices=RELATION_CHOICES,
            width=12,
        ),
        Column("occupation", "职业", help=_l("选填，不超过50个字。"), width=12),
        Column(
            "tags",
            "标签",
            aliases=("重点人群", "人员标签"),
            help=_l("选填，可填多个，用顿号或逗号分隔，如：独居老人、慢性病。"),
            allowed="、".join(TAG_CHOICES),
            width=18,
        ),
    )
    notes = (
        _l("户籍人员台账填写说明"),
        _l("1. 每行填写一个人。同一村/社区内“地址”相同的人员归为一户；系统中已有该地址的户时，人员加入该户。"),
        _l("2. 第2行灰色斜体是示例，导入时会自动跳过，可以保留，也可以删除。"),
        _l("3. 证件号码、电话两列请设为“文本”格式，避免 Excel 把长数字改成科学计数法而丢失末尾数字。"),
        _l("4. 导入时可选择“有错误时全部不保存”或“只保存正确的行”。每个错误都会列出行号、列和原因。"),
        _l("5. 已在系统中登记的证件号码不会重复登记；文件内重复的号码也会报错。"),
        _l("6. 只能导入您辖区内的村/社区。"),
    )

    def __init__(self, *, user):
        self.user = user
        self._places: dict[str, tuple[str | None, str | None, str | None]] = {}
        self._grids: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._seen_docs: dict[str, int] = {}
        self._groups: dict[tuple[str, str], tuple[int, str | None]] = {}
        self._doc_types = _words(_DOC_TYPE_WORDS, DOCUMENT_TYPES)
        self._sexes = _words(_SEX_WORDS, Sex.choices)
        self._relations = _words(_RELATION_WORDS, Relation.choices)
        self._tags = _words(_TAG_WORDS, list(TAGS.items()))

    # ------------------------------------------------------------ template

    def example_rows(self) -> list[dict[str, Any]]:
        community = self._example_community()
        return [
            {
                "community": community,
                "grid": "",
                "address": "幸福路12号院3号楼2单元301",
                "name": "王小明",
                "doc_type": "居民身份证",
                "doc_number": make_resident_id("410611", dt.date(1985, 6, 15), 11),
                "doc_reason": "",
                "phone": "13812345678",
                "sex": "男",
                "birth_date": "1985-06-15",
                "relation": "户主",
                "occupation": "教师",
                "tags": "慢性病",
            }
        ]

    def _example_community(self) -> str:
        prefixes = scope_prefixes(self.user, PEOPLE_EDIT)
        if prefixes:
            name = (
                Division.objects.under(prefixes[0])
                .filter(level="community")
                .order_by("code")
                .values_list("short_name", flat=True)
                .first()
            )
            if name:
                return name
        return "清华园社区"

    # ------------------------------------------------------------ one row

    def validate_row(self, row: Row) -> Any:
        community, grid = self._place(row)
        address, refused = row.text("address"), None
        try:
            address = identifying_text(address)
        except ValidationError as exc:
            address, refused = "", exc.messages[0]
        if refused:
            row.error("address", refused)
        elif not address:
            row.error("address", _("请填写地址。"))
        elif len(address) > 200:
            row.error("address", _("地址不能超过200个字。"))

        doc_type = self._choice(
            row, "doc_type", self._doc_types, DOC_TYPE_CHOICES, default="ric", message=_("证件类型无效。")
        )
        raw_number = row.raw("doc_number")
        numeric_id = isinstance(raw_number, float) and abs(raw_number) >= 1e9
        if numeric_id:
            row.error(
                "doc_number", _("证件号码被 Excel 存成了数字，末尾几位可能已经丢失。请把此列设为“文本”格式后重新填写。")
            )
        sex = self._choice(row, "sex", self._sexes, SEX_CHOICES, default=Sex.UNKNOWN, message=_("性别无效。"))
        relation = self._choice(
            row, "relation", self._relations, RELATION_CHOICES, default="", message=_("与户主关系无效。")
        )
        birth_date = row.date("birth_date", _("出生日期格式应为 2020-01-31。"))
        tags = self._tag_values(row)

        errors = services._Errors()
        values = services._person_fields(
            errors,
            name=row.text("name"),
            doc_type=doc_type or "ric",
            doc_number=row.text("doc_number"),
            doc_reason=row.text("doc_reason"),
            phone=row.text("phone"),
            sex=sex or Sex.UNKNOWN,
            birth_date=birth_date,
            relation=relation or "",
            occupation=row.text("occupation"),
            tags=tags or {},
            with_document=doc_type is not None and not numeric_id,
        )
        for field, messages in errors.errors.items():
            for message in messages:
                row.error(field if field in _COLUMN_KEYS else "", message)

        doc_index = values.get("doc_index")
        if doc_index:
            first = self._seen_docs.setdefault(doc_index, row.number)
            if first != row.number:
                row.error("doc_number", _("证件号码与第%(row)d行重复。") % {"row": first})

        if community and address:
            # One household per address: a blank grid means "the household's grid";
            # two different grids for one address are an error.
            key = (community, address)
            seen = self._groups.get(key)
            if seen is not None and seen[1] and grid and seen[1] != grid:
                row.error("grid", _("同一地址在第%(row)d行填写的网格与此行不同。") % {"row": seen[0]})
            elif row.ok and (seen is None or (grid and not seen[1])):
                self._groups[key] = (row.number, grid)
        if not row.ok:
            return None
        return {"key": (community, address), "grid": grid, "values": values}

    def _choice(self, row: Row, key: str, words: dict[str, str], allowed, *, default, message) -> str | None:
        text = row.text(key)
        if not text:
            return default
        value = words.get(text.lower())
        if value is None:
            row.error(key, _("%(message)s可填：%(allowed)s。") % {"message": message, "allowed": "、".join(allowed)})
        return value

    def _tag_values(self, row: Row) -> dict[str, bool] | None:
        text = row.text("tags")
        tags: dict[str, bool] = {}
        unknown = []
        for word in _TAG_SPLIT.split(text):
            if not word:
                continue
            field = self._tags.get(word.lower())
            if field is None:
                unknown.append(mask_numbers(word)[:12])
            else:
                tags[field] = True
        if unknown:
            row.error(
                "tags",
                _("未知的标签：%(t)s。可填：%(allowed)s。")
                % {"t": "、".join(unknown[:3]), "allowed": "、".join(TAG_CHOICES)},
            )
            return None
        return tags

    # ------------------------------------------------------------ places

    def _place(self, row: Row) -> tuple[str | None, str | None]:
        """(community code, grid code or None) of the row, in the user's jurisdiction."""
        text = "".join(row.text("community").split())
        if not text:
            row.error("community", _("请填写村/社区区划代码或名称。"))
            return None, None
        if text not in self._places:
            self._places[text] = self._resolve_community(text)
        community, grid, problem = self._places[text]
        if problem:
            row.error("community", problem)
            return None, None
        grid_text = "".join(row.text("grid").split())
        if grid_text:
            if (community, grid_text) not in self._grids:
                self._grids[(community, grid_text)] = self._resolve_grid(community, grid_text)
            found, problem = self._grids[(community, grid_text)]
            if problem:
                row.error("grid", problem)
                return community, grid
            if grid and found != grid:
                row.error("grid", _("网格与“村社区代码或名称”中的网格代码不一致。"))
                return community, grid
            grid = found
        return community, grid

    def _resolve_community(self, text: str) -> tuple[str | None, str | None, str | None]:
        if text.isascii() and text.isdigit():
            if not is_code(text):
                return None, None, _("区划代码应为12位（村/社区）或15位（网格）数字。")
            division = Division.objects.filter(code=text).only("code", "level").first()
            if division is None:
                return None, None, _("区划代码不存在。")
            if not user_can_see_code(self.user, text, PEOPLE_EDIT):
                return None, None, _("所选村/社区不在您的辖区内。")
            if division.level == "community":
                return text, None, None
            if division.level == "grid":
                return text[:12], text, None
            return None, None, _("请选择到村/社区或网格。")
        named = Division.objects.filter(level="community").filter(Q(short_name=text) | Q(name=text))
        mine = list(scope_filter(named, self.user, PEOPLE_EDIT, field="code").values_list("code", flat=True)[:2])
        if len(mine) == 1:
            return mine[0], None, None
        if len(mine) > 1:
            return None, None, _("您的辖区内有多个同名的村/社区，请改填12位区划代码。")
        if named.exists():
            return None, None, _("所选村/社区不在您的辖区内。")
        return None, None, _("在您的辖区内找不到这个村/社区，请核对名称或改填12位区划代码。")

    def _resolve_grid(self, community: str, text: str) -> tuple[str | None, str | None]:
        grids = Division.objects.filter(parent_code=community, level="grid")
        if text.isascii() and text.isdigit():
            found = grids.filter(code=text).values_list("code", flat=True).first()
        else:
            found = grids.filter(Q(short_name=text) | Q(name=text)).values_list("code", flat=True).first()
        if found is None:
            return None, _("该村/社区下没有这个网格。")
        return found, None

    # ------------------------------------------------------------ whole file

    def validate_all(self, items, add_error) -> None:
        """Document numbers already in the registry (anywhere in the city) are
        row errors that say where that person lives within the user's
        jurisdiction, and only "elsewhere in the city" outside it."""
        rows = {v["values"]["doc_index"]: n for n, v in items if v["values"].get("doc_index")}
        keys = list(rows)
        places: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            found = Person.objects.filter(doc_index__in=keys[i : i + 500]).values_list("doc_index", "division_code")
            for doc_index, code in found:
                if code not in places:
                    places[code] = services.registered_message(self.user, code)
                add_error(rows[doc_index], "doc_number", places[code] + _("不会重复登记。如需迁入，请在该户页面办理。"))

    @transaction.atomic
    def save(self, items) -> dict[str, int]:
        """Create the households and persons of the good rows in batches, set
        heads, and move the division counts once per division (at the end, so
        the rows of the city and county are locked only for a moment)."""
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - SQLite ≥ 3.35, PostgreSQL
            raise RuntimeError("the database must return primary keys from bulk inserts")
        groups: dict[tuple[str, str], dict] = {}
        for _number, item in items:
            group = groups.setdefault(item["key"], {"grid": None, "rows": []})
            group["grid"] = group["grid"] or item["grid"]
            group["rows"].append(item["values"])
        households = self._existing_households(list(groups))
        reused = len(households)
        now = timezone.now()
        new = [
            (
                key,
                Household(
                    division_code=g["grid"] or key[0],
                    address=key[1],
                    created_by=self.user,
                    created_at=now,
                    updated_at=now,
                ),
            )
            for key, g in groups.items()
            if key not in households
        ]
        Household.objects.bulk_create([h for _key, h in new], batch_size=BATCH)
        households.update(new)

        persons: list[Person] = []
        with_head: set[int] = set()
        for key, g in groups.items():
            household = households[key]
            for values in g["rows"]:
                persons.append(
                    Person(
                        household_id=household.pk,
                        division_code=household.division_code,
                        created_by=self.user,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
                if values.get("relation") == Relation.HEAD and household.head_id is None:
                    with_head.add(household.pk)
        _insert_many(Person, persons)

        # A household without a head gets its first member marked 户主 in the file.
        first_head = Subquery(
            Person.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD).order_by("id").values("id")[:1]
        )
        ids = sorted(with_head)
        for i in range(0, len(ids), 500):
            Household.objects.filter(pk__in=ids[i : i + 500], head__isnull=True).update(head=first_head, updated_at=now)

        person_counts = Counter(p.division_code for p in persons)
        household_counts = Counter(h.division_code for _key, h in new)
        for code in sorted(set(person_counts) | set(household_counts)):
            division_counts_adjust(code=code, persons=person_counts[code], households=household_counts[code])
        return {"rows": len(persons), "persons": len(persons), "households": len(new), "households_existing": reused}

    def _existing_households(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Household]:
        """Households already registered at these (community, address) pairs;
        the oldest one when an address has several."""
        by_community: dict[str, list[str]] = {}
        for community, address in keys:
            by_community.setdefault(community, []).append(address)
        found: dict[tuple[str, str], Household] = {}
        for community, addresses in by_community.items():
            for i in range(0, len(addresses), 500):
                qs = (
                    Household.objects.under(community)
                    .filter(address__in=addresses[i : i + 500])
                    .only("id", "division_code", "address", "head_id")
                    .order_by("id")
                )
                for h in qs:
                    found.setdefault((community, h.address), h)
        return found


_COLUMN_KEYS = {c.key for c in PeopleLedger.columns}


def _insert_many(model, objs: list) -> None:
    """INSERT ``objs`` with one executemany per batch of BATCH rows.

    Django's bulk_create compiles every row's SQL in Python (about half a
    millisecond a row here, and SQLite allows it only some 40 person rows per
    statement); on SQLite the import holds the database's only write lock all
    the while, and at 50,000 rows that outlasts the busy timeout of every other
    writer. Here a row costs a tuple. The columns come from the model, so a new
    field cannot be forgotten; values are adapted for the database as Django
    would (dates and times), and primary keys are not read back."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    adapt = []
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(f, models.DateField):
            adapt.append(ops.adapt_datefield_value)
        elif isinstance(
            f, (models.CharField, models.TextField, models.BooleanField, models.IntegerField, models.ForeignKey)
        ):
            adapt.append(None)  # stored as the Python value is
        else:  # a new kind of field: teach this function, do not guess
            raise TypeError(f"_insert_many cannot store {f.__class__.__name__} {model.__name__}.{f.name}")
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    cache: dict = {}
    attnames = [f.attname for f in fields]

    def value(obj, i):
        v = getattr(obj, attnames[i])
        if v is None or adapt[i] is None:
            return v
        key = (i, v)
        if key not in cache:
            cache[key] = adapt[i](v)
        return cache[key]

    width = range(len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            cursor.executemany(sql, [tuple(value(o, i) for i in width) for o in objs[start : start + BATCH]])
