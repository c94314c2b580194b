from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from fangkong.accounts.roles import PEOPLE_EDIT, PEOPLE_EXPORT, PEOPLE_REVEAL, PEOPLE_VIEW
from fangkong.accounts.scoping import has_capability, require_capability, scope_prefixes
from fangkong.approvals.selectors import approval_pending_for
from fangkong.audit.services import record
from fangkong.core.api_errors import Conflict
from fangkong.core.exports import xlsx_download
from fangkong.core.forms import apply_errors
from fangkong.core.paging import KnownCountPaginator, querystring_without_page
from fangkong.lib.documents import DOC_RIC
from fangkong.lib.masking import age
from fangkong.regions.selectors import DivisionNames, division_names, places_user_may_manage

from . import number_search, selectors, services
from .choices import TAGS
from .forms import HouseholdForm, PersonForm, ReasonForm
from .models import Household, Person
from .reveals import RevealLimited

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
SEARCH_COUNT_CAP = 1000


def _require(request, capability, code=None):
    require_capability(request.user, capability, code)


# ID number and phone searches are POSTed (``person_search``): the page keeps
# only their blind index (and the masked form, to show what was searched) in the
# session under a random key, and the list's URL carries that key (``s``); the
# mechanism is shared with the other pages that find a person (number_search).


def _person_filters(request) -> selectors.PersonFilters:
    g = request.GET
    household = g.get("household", "")
    blind, _masked = number_search.blind_for(request)
    return selectors.PersonFilters(
        q="" if blind else g.get("q", "")[:60],
        division=g.get("division", "")[:15],
        tag=g.get("tag", ""),
        sex=g.get("sex", ""),
        household=int(household) if household.isdigit() else None,
        blind=blind,
    )


def _known_count(user, filters: selectors.PersonFilters) -> int | None:
    if filters.q or filters.blind or filters.tag or filters.sex or filters.household:
        return None
    return selectors.known_count(user=user, division=filters.division)


def _number_in_url_refused(request, template: str, context: dict):
    """A GET whose query is an ID number or phone: refused (400), the number not echoed."""
    return number_search.refuse_page(
        request, template, context, _("证件号码和电话不能放在网址中：请在页面的搜索框中输入后点“查找”。")
    )


@login_required
@require_POST
def person_search(request):
    """The search form: an ID number or phone is kept in the session as its
    blind index under a random key (so paging and export work and the number is
    in no URL, browser history or access log); a name or pinyin goes to the
    list's ``q`` as before."""
    _require(request, PEOPLE_VIEW)
    p = request.POST
    return number_search.search_redirect(
        request, reverse("people:person_list"), {k: p.get(k, "")[:15] for k in ("division", "tag", "sex")}
    )


@login_required
def person_list(request):
    _require(request, PEOPLE_VIEW)
    if selectors.search_kind(request.GET.get("q", "")) in selectors.SENSITIVE_KINDS:
        return _number_in_url_refused(
            request,
            "people/person_list.html",
            {
                "page": Paginator(Person.objects.none(), PAGE_SIZE).get_page(1),
                "filters": selectors.PersonFilters(),
                "tags": TAGS,
                "query": "",
                "community_names": {},
                "can_export": False,
            },
        )
    filters = _person_filters(request)
    qs = selectors.person_list(user=request.user, filters=filters).only(
        "id", "name", "sex", "birth_date", "doc_masked", "phone_masked", "division_code", "household_id", *TAGS
    )
    paginator = KnownCountPaginator(
        qs, PAGE_SIZE, known_count=_known_count(request.user, filters), cap=SEARCH_COUNT_CAP
    )
    page = paginator.get_page(request.GET.get("page"))
    if filters.q or filters.blind:
        kind = filters.blind[0] if filters.blind else selectors.search_kind(filters.q)
        record(
            request.user,
            "search",
            object_type="people.person",
            detail={"kind": kind, "results": len(page.object_list)},
            request=request,
        )
    names = division_names(p.division_code[:12] for p in page)
    _blind, masked = number_search.blind_for(request)
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "filters": filters,
            "tags": TAGS,
            "query": querystring_without_page(request),
            "community_names": names,
            "can_export": has_capability(request.user, PEOPLE_EXPORT),
            "searched": masked if filters.blind else "",
            "move_requests": selectors.move_request_count(user=request.user),
        },
    )


@login_required
def person_export(request):
    _require(request, PEOPLE_EXPORT)
    if refusal := number_search.refuse_download(
        request, _("证件号码和电话不能放在网址中：请在页面的搜索框中输入后点“查找”。")
    ):
        return refusal
    filters = _person_filters(request)
    qs = selectors.person_list(user=request.user, filters=filters).select_related("household")[:EXPORT_LIMIT]
    names = DivisionNames()

    def rows():
        for p in qs.iterator(chunk_size=2000):
            yield (
                p.name,
                p.get_sex_display(),
                age(p.birth_date),
                p.get_doc_type_display(),
                p.doc_masked,
                p.phone_masked,
                names.get(p.division_code[:9], ""),
                names.get(p.division_code[:12], ""),
                names.get(p.division_code, "") if len(p.division_code) == 15 else "",
                p.household.address if p.household else "",
                p.get_relation_display(),
                p.occupation,
                "、".join(p.tags),
            )

    return xlsx_download(
        request,
        title="人员台账",
        headers=[
            "姓名",
            "性别",
            "年龄",
            "证件类型",
            "证件号码",
            "电话",
            "乡镇街道",
            "村社区",
            "网格",
            "地址",
            "与户主关系",
            "职业",
            "标签",
        ],
        rows=rows(),
        kind="persons",
        object_type="people.person",
        filename="persons",
    )


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    record(request.user, "view", person, request=request)
    household_members = (
        selectors.person_list(user=request.user, filters=selectors.PersonFilters(household=person.household_id))
        if person.household_id
        else Person.objects.none()
    )
    can_edit = has_capability(request.user, PEOPLE_EDIT, person.division_code)
    pending_move = approval_pending_for(obj=person, kind=services.MOVE_KIND) if can_edit else None
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "place": services.describe_place(person.division_code),
            "members": household_members.exclude(pk=person.pk)[:20],
            "can_reveal": has_capability(request.user, PEOPLE_REVEAL, person.division_code),
            "can_edit": can_edit,
            "pending_move": pending_move,
            "pending_move_place": services.describe_place(pending_move.payload.get("to_division", ""))
            if pending_move
            else "",
        },
    )


@login_required
@require_POST
def person_reveal(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = services.person_reveal(
            user=request.user, person=person, field=field, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as exc:
        return render(
            request,
            "people/_reveal.html",
            {"person": person, "field": field, "errors": exc.messages, "reason": request.POST.get("reason", "")},
            status=reveal_error_status(request, exc),
        )
    return render(request, "people/_reveal.html", {"person": person, "field": field, "value": value})


def reveal_error_status(request, exc: ValidationError) -> int:
    """429 past the reveal limit, 400 for a bad reason; 200 to htmx, which swaps
    only successful answers in (the fragment carries the message and the form)."""
    if request.headers.get("HX-Request"):
        return 200
    return 429 if isinstance(exc, RevealLimited) else 400


def _person_form_page(request, form, *, household=None, person=None, duplicate=None):
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "household": household,
            "person": person,
            "duplicate": duplicate,
            "divisions": _editable_places(request.user) if household is None and person is None else [],
        },
        status=400 if form.is_bound and (form.errors or duplicate) else 200,
    )


def _editable_places(user):
    """Communities and grids the user may register people in (for a small jurisdiction)."""
    prefixes = scope_prefixes(user, PEOPLE_EDIT)
    if not prefixes or min(len(p) for p in prefixes) < 9:
        return []  # too many to list; the form takes a code with search-as-you-type
    return places_user_may_manage(user, PEOPLE_EDIT, levels=["community", "grid"], limit=300)


@login_required
def person_create(request):
    household = None
    hid = request.GET.get("household") or request.POST.get("household")
    if hid and str(hid).isdigit():
        household = selectors.household_get(user=request.user, pk=int(hid), capability=PEOPLE_EDIT)
    _require(request, PEOPLE_EDIT, household.division_code if household else None)
    if request.method != "POST":
        return _person_form_page(request, PersonForm(), household=household)
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _person_form_page(request, form, household=household)
    try:
        person = services.person_create(
            user=request.user,
            household=household,
            division_code=request.POST.get("division_code") if household is None else None,
            request=request,
            **form.service_kwargs(),
        )
    except services.DuplicatePerson as dup:
        apply_errors(form, dup)
        return _person_form_page(request, form, household=household, duplicate=dup)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _person_form_page(request, form, household=household)
    messages.success(request, _("已登记 %(name)s。") % {"name": person.name})
    return redirect("people:person_detail", pk=person.pk)


@login_required
@require_POST
def person_move(request):
    """Move an already-registered person (found as a duplicate at registration) into
    a household here. The person is named by the document number the user just
    typed, never by a guessable id, so nobody can pull a stranger into their scope."""
    household = selectors.household_get(
        user=request.user, pk=request.POST.get("household", "0") or 0, capability=PEOPLE_EDIT
    )
    person = selectors.person_find_by_document(
        doc_type=request.POST.get("doc_type", "ric"), doc_number=request.POST.get("doc_number", "")
    )
    if person is None:
        raise Http404
    try:
        outcome = services.person_move_request(
            user=request.user,
            person=person,
            household=household,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:household_detail", pk=household.pk)
    if outcome.moved:
        messages.success(request, _("%(name)s 已迁入本户。") % {"name": person.name})
    else:
        # Never say where the person lives: they are outside this user's jurisdiction.
        messages.success(request, services.move_requested_message())
    return redirect("people:household_detail", pk=household.pk)


@login_required
def person_edit(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    _require(request, PEOPLE_EDIT, person.division_code)
    if request.method != "POST":
        initial = {
            f: getattr(person, f)
            for f in ("name", "doc_type", "doc_reason", "sex", "birth_date", "relation", "occupation", *TAGS)
        }
        if person.doc_type == DOC_RIC:
            # The resident ID number decides the birth date (which is never shown
            # beside its masked form: docs/privacy.md); the form leaves it blank.
            initial.pop("birth_date")
        return _person_form_page(request, PersonForm(initial=initial), person=person)
    form = PersonForm(request.POST)
    if not form.is_valid():
        return _person_form_page(request, form, person=person)
    changes = form.service_kwargs()
    tags = changes.pop("tags")
    changes.update(tags)
    # Blank document number / phone mean "unchanged": they are never shown in full on the form.
    if not changes.get("doc_number") and changes["doc_type"] == person.doc_type:
        changes.pop("doc_number", None)
        changes.pop("doc_type")
    if not changes.get("phone") and not request.POST.get("clear_phone"):
        changes.pop("phone", None)
    try:
        services.person_update(user=request.user, person=person, request=request, **changes)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _person_form_page(
            request, form, person=person, duplicate=exc if isinstance(exc, services.DuplicatePerson) else None
        )
    messages.success(request, _("已保存。"))
    return redirect("people:person_detail", pk=person.pk)


@login_required
def person_delete(request, pk: int):
    person = selectors.person_get(user=request.user, pk=pk)
    _require(request, PEOPLE_EDIT, person.division_code)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        household_id = person.household_id
        try:
            services.person_delete(
                user=request.user, person=person, reason=form.cleaned_data["reason"], request=request
            )
        except Conflict as exc:
            form.add_error(None, exc.messages)
            return render(
                request, "people/confirm_delete.html", {"object": person, "form": form, "kind": _("人员")}, status=409
            )
        messages.success(request, _("已删除。"))
        return redirect("people:household_detail", pk=household_id) if household_id else redirect("people:person_list")
    return render(
        request,
        "people/confirm_delete.html",
        {"object": person, "form": form, "kind": pgettext("the thing deleted", "人员")},
    )


@login_required
def move_requests(request):
    """Requests to move people of my jurisdiction elsewhere, decided here
    (through the two-person approval, by someone other than the requester)."""
    _require(request, PEOPLE_VIEW)
    return render(
        request,
        "people/move_requests.html",
        {
            "rows": selectors.move_requests(user=request.user),
        },
    )


# ---------------------------------------------------------------- households


@login_required
def household_list(request):
    _require(request, PEOPLE_VIEW)
    q, division = request.GET.get("q", "")[:60], request.GET.get("division", "")[:15]
    if selectors.search_kind(q) in selectors.SENSITIVE_KINDS:
        # Households are searched by address; an ID number or phone has no place in the URL.
        messages.error(request, _("户按地址查找；证件号码和电话请在“人员”页面的搜索框中查找（不放在网址中）。"))
        number_search.forget_query(request)
        return render(
            request,
            "people/household_list.html",
            {
                "page": Paginator(Household.objects.none(), PAGE_SIZE).get_page(1),
                "q": "",
                "division": division,
                "query": "",
                "community_names": {},
            },
            status=400,
        )
    qs = selectors.household_list(user=request.user, q=q, division=division)
    known = None if q else selectors.known_count(user=request.user, division=division, field="household_count")
    page = KnownCountPaginator(qs, PAGE_SIZE, known_count=known).get_page(request.GET.get("page"))
    if q:  # an address search is audited like a person search (the kind, never the term)
        record(
            request.user,
            "search",
            object_type="people.household",
            detail={"kind": "address", "results": len(page.object_list)},
            request=request,
        )
    names = division_names(h.division_code[:12] for h in page)
    return render(
        request,
        "people/household_list.html",
        {
            "page": page,
            "q": q,
            "division": division,
            "query": querystring_without_page(request),
            "community_names": names,
            "can_edit": has_capability(request.user, PEOPLE_EDIT),
            "can_export": has_capability(request.user, PEOPLE_EXPORT),
        },
    )


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    record(request.user, "view", household, request=request)
    members = selectors.person_list(user=request.user, filters=selectors.PersonFilters(household=household.pk))
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": members,
            "place": services.describe_place(household.division_code),
            "can_edit": has_capability(request.user, PEOPLE_EDIT, household.division_code),
        },
    )


@login_required
def household_create(request):
    _require(request, PEOPLE_EDIT)
    form = HouseholdForm(request.POST or None, initial={"division_code": request.GET.get("division", "")})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新增户，请登记成员。"))
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "divisions": _editable_places(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
def household_edit(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk, capability=PEOPLE_EDIT)
    form = HouseholdForm(
        request.POST or None,
        initial={"division_code": household.division_code, "address": household.address, "note": household.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(user=request.user, household=household, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:household_detail", pk=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "household": household, "divisions": _editable_places(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
def household_delete(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk, capability=PEOPLE_EDIT)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_delete(
                user=request.user, household=household, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已删除。"))
            return redirect("people:household_list")
    return render(
        request,
        "people/confirm_delete.html",
        {"object": household, "form": form, "kind": pgettext("the thing deleted", "户")},
    )
