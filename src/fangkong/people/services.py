"""Writes to the people registry. Each service: acting user first, keyword-only
arguments, one transaction, an audit entry, the division counts kept exact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.roles import PEOPLE_EDIT, PEOPLE_REVEAL, PEOPLE_VIEW
from fangkong.accounts.scoping import get_for_user, require_capability, user_can_see_code
from fangkong.audit.services import record
from fangkong.core.api_errors import Conflict
from fangkong.lib import vault
from fangkong.lib.text import identifying_text
from fangkong.regions.models import Division
from fangkong.regions.selectors import division_names
from fangkong.regions.services import division_counts_adjust

from .choices import TAGS, Relation, Sex
from .identity import clean_name, protect_document, protect_phone
from .models import Household, Person
from .reveals import clean_reason, reveal_record
from .signals import household_moved

PERSON_FIELDS = (
    "name",
    "doc_type",
    "doc_number",
    "doc_reason",
    "phone",
    "sex",
    "birth_date",
    "relation",
    "occupation",
    *TAGS,
)


class DuplicatePerson(ValidationError):
    """The document number is already registered. Carries the existing person and
    where they live (masked names only when outside the user's jurisdiction)."""

    def __init__(self, existing: Person, user):
        self.existing = existing
        self.in_scope = user_can_see_code(user, existing.division_code)
        self.where = registered_where(user, existing.division_code)
        self.message = registered_message(user, existing.division_code) + _("不会重复登记，可将其迁入本户。")
        super().__init__({"doc_number": self.message}, code="duplicate")


def registered_where(user, code: str) -> str:
    """Where a registered person lives, as it may be told to ``user``: the place
    names within their jurisdiction; outside it, nothing but "elsewhere in the
    city" (not even the county: docs/privacy.md)."""
    if user_can_see_code(user, code):
        return describe_place(code)
    return _("本市其他地方（不在您的辖区内）")


def registered_message(user, code: str) -> str:
    """The one sentence every page, import report, API answer and service uses
    to say that a document number is already registered (to the person living
    at ``code``). It names the place only within the user's jurisdiction."""
    if user_can_see_code(user, code):
        return _("该证件号码已登记：此人现居 %(where)s。") % {"where": describe_place(code)}
    return _("该证件号码已在本市其他地方登记（不在您的辖区内）。")


def describe_place(code: str) -> str:
    """Names of a place down to the grid, e.g. 淇滨区 泰山路街道 清华园社区 第一网格.
    Only for places in the reader's jurisdiction (else ``registered_where``)."""
    levels = [
        c
        for c in dict.fromkeys([code[:6], code[:9], code[:12], code[:15]])
        if len(c) in (6, 9, 12, 15) and len(c) <= len(code)
    ]
    names = division_names(levels)
    return " ".join(names[c] for c in levels if c in names) or code[:6]


class _Errors:
    """Collects ValidationErrors from several steps so the user sees all of them at once."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def run(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            for field, messages in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]
            ):
                self.errors.setdefault(field, []).extend(messages)
            return None

    def add(self, field: str, message: str):
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self):
        if self.errors:
            raise ValidationError(self.errors)


def _address(address: str) -> str:
    try:
        return identifying_text(address)
    except ValidationError as exc:
        raise ValidationError({"address": exc.messages}) from None


def _place_for_edit(user, division_code: str) -> Division:
    """A community or grid in the user's jurisdiction where they may edit people."""
    if not division_code or not user_can_see_code(user, division_code, PEOPLE_EDIT):
        raise ValidationError({"division_code": _("所选村/社区不在您的辖区内。")})
    try:
        division = Division.objects.get(code=division_code)
    except Division.DoesNotExist:
        raise ValidationError({"division_code": _("区划代码不存在。")}) from None
    if division.level not in ("community", "grid"):
        raise ValidationError({"division_code": _("请选择到村/社区或网格。")})
    return division


def _check_tags(tags: dict[str, Any] | None) -> dict[str, bool]:
    tags = tags or {}
    unknown = set(tags) - set(TAGS)
    if unknown:
        raise ValidationError({"tags": _("未知的标签：%(t)s") % {"t": ", ".join(sorted(unknown))[:100]}})
    return {field: bool(tags.get(field, False)) for field in TAGS}


# ---------------------------------------------------------------- households


@transaction.atomic
def household_create(*, user, division_code: str, address: str, note: str = "", request=None) -> Household:
    errors = _Errors()
    division = errors.run(_place_for_edit, user, division_code)
    address = errors.run(_address, address)
    if address == "":
        errors.add("address", _("请填写地址。"))
    elif address and len(address) > 200:
        errors.add("address", _("地址不能超过200个字。"))
    errors.raise_if_any()
    household = Household.objects.create(
        division_code=division.code, address=address, note=(note or "")[:200], created_by=user
    )
    division_counts_adjust(code=division.code, households=1)
    record(user, "create", household, request=request)
    return household


@transaction.atomic
def household_update(
    *,
    user,
    household: Household,
    address: str,
    division_code: str | None = None,
    note: str = "",
    head: Person | None = None,
    request=None,
) -> Household:
    household = get_for_user(Household.objects.select_for_update(), user, PEOPLE_EDIT, pk=household.pk)
    errors = _Errors()
    address = errors.run(_address, address)
    if address == "" or len(address or "") > 200:
        errors.add("address", _("请填写地址（不超过200个字）。"))
    target = household.division_code
    if division_code and division_code != household.division_code:
        division = errors.run(_place_for_edit, user, division_code)
        target = division.code if division else target
    if head is not None and head.household_id != household.pk:
        errors.add("head", _("户主必须是本户成员。"))
    errors.raise_if_any()
    changed = [f for f, v in (("address", address), ("note", (note or "")[:200])) if getattr(household, f) != v]
    household.address, household.note = address, (note or "")[:200]
    if head is not None and household.head_id != head.pk:
        household.head = head
        changed.append("head")
    if target != household.division_code:
        _move_household_members(household, target)
        changed.append("division_code")
    household.updated_at = timezone.now()
    household.save(update_fields=[*changed, "updated_at"])
    record(user, "update", household, detail={"fields": ",".join(changed)}, request=request)
    return household


def _move_household_members(household: Household, target: str) -> None:
    members = household.members.count()
    division_counts_adjust(code=household.division_code, households=-1, persons=-members)
    division_counts_adjust(code=target, households=1, persons=members)
    household.members.update(division_code=target, updated_at=timezone.now())
    household_moved.send(sender=Household, household_id=household.pk, from_code=household.division_code, to_code=target)
    household.division_code = target


@transaction.atomic
def household_delete(*, user, household: Household, reason: str, request=None) -> None:
    household = get_for_user(Household.objects.select_for_update(), user, PEOPLE_EDIT, pk=household.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写删除原因。")})
    if household.members.exists():
        raise ValidationError(_("该户还有成员，请先迁出或删除成员。"))
    division_counts_adjust(code=household.division_code, households=-1)
    record(user, "delete", household, reason=reason, request=request)
    household.delete()


# ---------------------------------------------------------------- persons


def _person_fields(
    errors: _Errors,
    *,
    name,
    doc_type,
    doc_number,
    doc_reason,
    phone,
    sex,
    birth_date,
    relation,
    occupation,
    tags,
    with_document=True,
    with_phone=True,
) -> dict[str, Any]:
    """Validated column values for a person; errors collected per field."""
    values: dict[str, Any] = {}
    cleaned = errors.run(clean_name, name)
    if cleaned:
        values["name"], values["name_pinyin"], values["name_initials"] = cleaned
    identity = errors.run(protect_document, doc_type, doc_number, doc_reason) if with_document else None
    if not with_document:
        values["doc_reason"] = (doc_reason or "").strip()[:200]
    if identity:
        values.update(
            doc_type=identity.doc_type,
            doc_cipher=identity.doc_cipher,
            doc_index=identity.doc_index,
            doc_masked=identity.doc_masked,
            doc_reason=(doc_reason or "").strip()[:200],
        )
        if identity.sex:  # the resident ID number decides sex and birth date
            sex, birth_date = identity.sex, identity.birth_date
    ph = errors.run(protect_phone, phone or "") if with_phone else None
    if ph:
        values.update(phone_cipher=ph.phone_cipher, phone_index=ph.phone_index, phone_masked=ph.phone_masked)
    if sex not in Sex.values:
        errors.add("sex", _("性别无效。"))
    values["sex"] = sex or Sex.UNKNOWN
    if birth_date is not None:
        if isinstance(birth_date, str):
            try:
                birth_date = dt.date.fromisoformat(birth_date)
            except ValueError:
                errors.add("birth_date", _("出生日期格式应为 2020-01-31。"))
                birth_date = None
        if birth_date and not (dt.date(1880, 1, 1) <= birth_date <= timezone.localdate()):
            errors.add("birth_date", _("出生日期不合理。"))
    values["birth_date"] = birth_date
    if relation and relation not in Relation.values:
        errors.add("relation", _("与户主关系无效。"))
    values["relation"] = relation or ""
    occupation = (occupation or "").strip()
    if len(occupation) > 50:
        errors.add("occupation", _("职业不能超过50个字。"))
    values["occupation"] = occupation
    tag_values = errors.run(_check_tags, tags)
    if tag_values:
        values.update(tag_values)
    return values


@transaction.atomic
def person_create(
    *,
    user,
    name: str,
    doc_type: str = "ric",
    doc_number: str = "",
    doc_reason: str = "",
    phone: str = "",
    sex: str = Sex.UNKNOWN,
    birth_date: dt.date | str | None = None,
    household: Household | None = None,
    division_code: str | None = None,
    relation: str = "",
    occupation: str = "",
    tags: dict[str, bool] | None = None,
    request=None,
) -> Person:
    """Register a person in a household (or directly in a community/grid).

    A document number already in the registry raises DuplicatePerson: never a
    silent second copy; the caller may offer ``person_move`` instead."""
    errors = _Errors()
    values = _person_fields(
        errors,
        name=name,
        doc_type=doc_type,
        doc_number=doc_number,
        doc_reason=doc_reason,
        phone=phone,
        sex=sex,
        birth_date=birth_date,
        relation=relation,
        occupation=occupation,
        tags=tags,
    )
    if household is not None:
        household = errors.run(get_for_user_or_error, Household.objects.all(), user, household.pk, "household")
        place = household.division_code if household else None
    else:
        division = errors.run(_place_for_edit, user, division_code or "")
        place = division.code if division else None
    errors.raise_if_any()
    if values.get("doc_index"):
        existing = Person.objects.filter(doc_index=values["doc_index"]).first()
        if existing is not None:
            raise DuplicatePerson(existing, user)
    try:
        with transaction.atomic():
            person = Person.objects.create(household=household, division_code=place, created_by=user, **values)
    except IntegrityError:
        # A concurrent registration of the same number won the race.
        existing = Person.objects.filter(doc_index=values["doc_index"]).first()
        if existing is None:
            raise
        raise DuplicatePerson(existing, user) from None
    if household is not None and household.head_id is None and values.get("relation") == Relation.HEAD:
        household.head = person
        household.save(update_fields=["head"])
    division_counts_adjust(code=place, persons=1)
    record(user, "create", person, request=request)
    return person


def get_for_user_or_error(qs, user, pk, field):
    try:
        return get_for_user(qs, user, PEOPLE_EDIT, pk=pk)
    except Exception:
        raise ValidationError({field: _("所选户不存在或不在您的辖区内。")}) from None


@transaction.atomic
def person_update(*, user, person: Person, request=None, **changes) -> Person:
    """Change a person's details. Fields not given keep their values; a new
    document number is re-validated and must not belong to someone else."""
    person = get_for_user(Person.objects.select_for_update(), user, PEOPLE_EDIT, pk=person.pk)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("无法修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    errors = _Errors()
    current = {
        "name": person.name,
        "doc_type": person.doc_type,
        "doc_reason": person.doc_reason,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "relation": person.relation,
        "occupation": person.occupation,
        "tags": {f: getattr(person, f) for f in TAGS},
    }
    tags = dict(current["tags"])
    tags.update({f: changes.pop(f) for f in list(changes) if f in TAGS})
    doc_changed = "doc_number" in changes or "doc_type" in changes
    phone_changed = "phone" in changes
    merged = {**current, **changes, "tags": tags}
    doc_number = (
        changes["doc_number"] if "doc_number" in changes else (vault.decrypt(person.doc_cipher) if doc_changed else "")
    )
    if not doc_changed and person.doc_type == "ric":
        # sex and birth date stay those of the stored ID number
        merged["sex"], merged["birth_date"] = person.sex, person.birth_date
    values = _person_fields(
        errors,
        name=merged["name"],
        doc_type=merged["doc_type"],
        doc_number=doc_number,
        doc_reason=merged["doc_reason"],
        phone=changes.get("phone", ""),
        sex=merged["sex"],
        birth_date=merged["birth_date"],
        relation=merged["relation"],
        occupation=merged["occupation"],
        tags=tags,
        with_document=doc_changed,
        with_phone=phone_changed,
    )
    errors.raise_if_any()
    if doc_changed and values.get("doc_index") and values["doc_index"] != person.doc_index:
        existing = Person.objects.filter(doc_index=values["doc_index"]).exclude(pk=person.pk).first()
        if existing is not None:
            raise DuplicatePerson(existing, user)
    changed = [f for f, v in values.items() if getattr(person, f) != v]
    for f in changed:
        setattr(person, f, values[f])
    if changed:
        person.updated_at = timezone.now()
        person.save(update_fields=[*changed, "updated_at"])
    # Audit names the fields, never their values.
    record(
        user,
        "update",
        person,
        detail={"fields": ",".join(sorted(set(changed) - {"name_pinyin", "name_initials"}))},
        request=request,
    )
    return person


MOVE_KIND = "people.move"


class MoveNeedsApproval(ValidationError):
    """The person lives outside the user's jurisdiction: only a move request
    (``person_move_request``) can bring them here, approved by their current
    community or a common superior."""

    def __init__(self):
        super().__init__(
            {"household": _("此人登记在您辖区以外，迁入需由其现居村/社区审批：请在人员登记页面提出迁入申请。")},
            code="needs_approval",
        )


@dataclass(frozen=True)
class MoveOutcome:
    """What ``person_move_request`` did: moved the person at once (``approval``
    is None) or asked the person's current community (``approval`` pending)."""

    person: Person
    approval: Any = None

    @property
    def moved(self) -> bool:
        return self.approval is None


def _move_checked(user, person: Person, household: Household, reason: str) -> tuple[Household, Person]:
    household = get_for_user(Household.objects.all(), user, PEOPLE_EDIT, pk=household.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写迁入原因。")})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.household_id == household.pk:
        raise ValidationError(_("此人已在该户中。"))
    return household, person


@transaction.atomic
def person_move(*, user, person: Person, household: Household, reason: str, request=None) -> Person:
    """Move a person into a household in the user's jurisdiction, at once. The
    person must live in the user's jurisdiction too (where they may edit);
    otherwise ``MoveNeedsApproval``: see ``person_move_request``. The move needs
    a reason and is audited where the person came from and where they go."""
    household, person = _move_checked(user, person, household, reason)
    if not user_can_see_code(user, person.division_code, PEOPLE_EDIT):
        raise MoveNeedsApproval()
    _move(actor=user, person=person, household=household, reason=reason, request=request)
    return person


@transaction.atomic
def person_move_request(*, user, person: Person, household: Household, reason: str, request=None) -> MoveOutcome:
    """Bring an already-registered person (found by full document number) into
    one of the user's households. Within the user's jurisdiction the move is
    immediate; from outside it, it is a request that waits for an eligible user
    whose jurisdiction covers the person's CURRENT division (two-person
    approval, kind ``people.move``): until then nothing moves and the person
    stays invisible to the requester. Nothing said back names where they live."""
    household, person = _move_checked(user, person, household, reason)
    if user_can_see_code(user, person.division_code, PEOPLE_EDIT):
        _move(actor=user, person=person, household=household, reason=reason, request=request)
        return MoveOutcome(person)
    from fangkong.approvals.services import approval_request

    approval = approval_request(
        user=user,
        kind=MOVE_KIND,
        obj=person,
        reason=reason,
        payload={"household_id": household.pk, "to_division": household.division_code},
    )
    return MoveOutcome(person, approval)


def move_requested_message() -> str:
    """What the requester is told: never where the person lives."""
    return _("已提交迁入申请，等待此人现居村/社区审批；批准前此人不会迁入。")


def person_move_apply(*, approval, decider) -> None:
    """Approved ``people.move``: the move happens now, if nothing changed since."""
    person = Person.objects.select_for_update().filter(pk=int(approval.object_id)).first()
    household = Household.objects.filter(pk=approval.payload.get("household_id")).first()
    if person is None or household is None:
        raise ValidationError(_("此人或目标户已不存在，申请无法执行，请驳回。"))
    if person.division_code != approval.division_code:
        raise ValidationError(_("此人已不在申请时的村/社区，申请无法执行，请驳回。"))
    if person.household_id != household.pk:
        _move(
            actor=decider, person=person, household=household, reason=approval.reason, detail={"approval": approval.pk}
        )


def _move(
    *, actor, person: Person, household: Household, reason: str, request=None, detail: dict | None = None
) -> None:
    origin = person.division_code
    old_household_id = person.household_id
    person.household, person.division_code, person.updated_at = household, household.division_code, timezone.now()
    person.save(update_fields=["household", "division_code", "updated_at"])
    if old_household_id:
        Household.objects.filter(pk=old_household_id, head_id=person.pk).update(head=None)
    division_counts_adjust(code=origin, persons=-1)
    division_counts_adjust(code=household.division_code, persons=1)
    detail = {"from_division": origin, "to_division": household.division_code, **(detail or {})}
    record(actor, "move", person, reason=reason, division_code=household.division_code, detail=detail, request=request)
    record(actor, "move", person, reason=reason, division_code=origin, detail=detail, request=request)


@transaction.atomic
def person_delete(*, user, person: Person, reason: str, request=None) -> None:
    person = get_for_user(Person.objects.select_for_update(), user, PEOPLE_EDIT, pk=person.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写删除原因。")})
    Household.objects.filter(head_id=person.pk).update(head=None)
    division_counts_adjust(code=person.division_code, persons=-1)
    record(user, "delete", person, reason=reason, request=request)
    try:
        with transaction.atomic():
            person.delete()
    except ProtectedError:
        # Follow-ups, referrals, deliveries and returnee records keep the
        # person (health data is kept); the whole delete is undone.
        raise Conflict({"__all__": _("此人有随访、转诊、配送或返乡记录，不能删除。")}) from None


REVEAL_FIELDS = {"doc_number": "doc_cipher", "phone": "phone_cipher"}


@transaction.atomic
def person_reveal(*, user, person: Person, field: str, reason: str, request=None) -> str:
    """The full document number or phone, for a meaningful stated reason, within
    the user's reveal limits (``people.reveals``). Always audited."""
    person = get_for_user(Person.objects.all(), user, PEOPLE_VIEW, pk=person.pk)
    require_capability(user, PEOPLE_REVEAL, person.division_code)
    if field not in REVEAL_FIELDS:
        raise ValidationError({"field": _("只能查看证件号码或电话。")})
    reason = clean_reason(reason)
    reveal_record(user, person, field=field, reason=reason, request=request)
    return vault.decrypt(getattr(person, REVEAL_FIELDS[field]))
