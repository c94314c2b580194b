"""The English catalog (src/fangkong/locale/en/LC_MESSAGES/django.po and the
committed django.mo) stays complete, consistent and in use.

A string added to the code without a translation fails ``test_no_string_is_missing_from_the_catalog``.
To fix it, from src/fangkong:

    ../../.venv/bin/fangkong makemessages -l en --no-obsolete -i "static/vendor/*" -i "node_modules/*"
    (translate the new entries in locale/en/LC_MESSAGES/django.po; no fuzzy, no empty msgstr)
    ../../.venv/bin/fangkong compilemessages -l en

and commit both django.po and django.mo (a machine without gettext uses the .mo as is).
"""

from __future__ import annotations

import gettext
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from conftest import login

PACKAGE = Path(settings.BASE_DIR)  # src/fangkong
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
MAKEMESSAGES_IGNORE = ["static/vendor/*", "node_modules/*", "locale"]

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# printf-style (%(name)s, %(n)d, %s, %%) and str.format-style ({name}, {0}) placeholders
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{[^{}\s]*\}")


# ----------------------------------------------------------------- a tiny .po parser


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 for a singular) → text
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(text: str, name: str = "po") -> tuple[Entry, list[Entry]]:
    """The header entry and the other (non-obsolete) entries of a .po file."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def close() -> None:
        nonlocal entry, target
        if entry is not None and target is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{number}"
        if not line:
            close()
            continue
        if line.startswith("#~"):  # obsolete entry
            continue
        if entry is None or (
            target is not None and target[0] == "msgstr" and not line.startswith('"') and not line.startswith("msgstr")
        ):
            close()
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        m = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if m:
            keyword, index, value = m.group(1), m.group(2), _unquote(m.group(3), where)
            if keyword == "msgstr":
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = value
            else:
                target = (keyword, None)
                setattr(entry, keyword, value)
            continue
        if line.startswith('"') and target is not None:
            value = _unquote(line, where)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
            continue
        raise ValueError(f"{where}: cannot parse {raw!r}")
    close()
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    if len(headers) != 1:
        raise ValueError(f"{name}: expected one header entry, found {len(headers)}")
    return headers[0], [e for e in entries if e is not headers[0]]


def _catalog() -> tuple[Entry, list[Entry]]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"), PO_FILE.name)


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def _label(e: Entry) -> str:
    return f"django.po:{e.line} {e.msgid[:40]!r}"


# ----------------------------------------------------------------- (a) the catalog is complete


def test_parser_reads_plurals_contexts_and_continuations():
    header, entries = parse_po(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, python-format\nmsgctxt "nav"\nmsgid "户"\nmsgstr "Households"\n\n'
        'msgid ""\n"共 %(n)s 户"\nmsgid_plural "共 %(n)s 户"\nmsgstr[0] "%(n)s household"\n'
        'msgstr[1] ""\n"%(n)s households"\n\n#~ msgid "旧"\n#~ msgstr "old"\n'
    )
    assert "nplurals=2" in header.msgstr[0]
    assert [(e.msgctxt, e.msgid, e.msgid_plural, e.msgstr) for e in entries] == [
        ("nav", "户", None, {0: "Households"}),
        (None, "共 %(n)s 户", "共 %(n)s 户", {0: "%(n)s household", 1: "%(n)s households"}),
    ]
    assert entries[0].flags == {"python-format"}


def test_the_header_is_english_with_two_plural_forms():
    header, entries = _catalog()
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert len(entries) > 500


def test_every_entry_is_translated_and_none_is_fuzzy():
    _, entries = _catalog()
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    untranslated = [_label(e) for e in entries if not e.msgstr or any(not s.strip() for s in e.msgstr.values())]
    wrong_forms = [_label(e) for e in entries if sorted(e.msgstr) != ([0, 1] if e.msgid_plural is not None else [0])]
    assert not fuzzy, f"fuzzy entries (check the translation, then drop the flag): {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"
    assert not wrong_forms, f"entries with the wrong msgstr forms (plural needs msgstr[0] and [1]): {wrong_forms}"


def test_placeholders_match_between_msgid_and_msgstr():
    _, entries = _catalog()
    bad = []
    for e in entries:
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural is not None else [])
        expected = _placeholders(e.msgid)
        assert all(_placeholders(s) == expected for s in sources), _label(e)
        for index, text in e.msgstr.items():
            if _placeholders(text) != expected:
                bad.append(
                    f"{_label(e)} msgstr[{index}]: {sorted(_placeholders(text).elements())} "
                    f"!= {sorted(expected.elements())}"
                )
    assert not bad, "placeholders differ:\n" + "\n".join(bad)


def test_translations_are_english():
    """No msgstr is still the Chinese msgid (Chinese examples such as 豫F12345 may stay)."""
    _, entries = _catalog()
    copied = [_label(e) for e in entries for s in e.msgstr.values() if s == e.msgid and CJK.search(s)]
    no_english = [
        _label(e) for e in entries for s in e.msgstr.values() if CJK.search(s) and not re.search(r"[A-Za-z]", s)
    ]
    assert not copied, f"msgstr copied from the Chinese msgid: {copied}"
    assert not no_english, f"msgstr without an English word: {no_english}"


# ----------------------------------------------------------------- (b) the .mo matches the .po


def test_the_committed_mo_is_compiled_from_the_po():
    assert MO_FILE.exists(), "django.mo is missing: run `fangkong compilemessages -l en` and commit it"
    with MO_FILE.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    _, entries = _catalog()
    stale = []
    expected_keys = {""}
    for e in entries:
        if not all(e.msgstr.values()):
            continue  # untranslated: msgfmt leaves it out (test_every_entry_is_translated... reports it)
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected_keys.add(msgid)
            got = mo._catalog.get(msgid)
            if got != e.msgstr[0]:
                stale.append(f"{_label(e)}: .mo has {got!r}, .po has {e.msgstr[0]!r}")
        else:
            for index in (0, 1):
                expected_keys.add((msgid, index))
                got = mo._catalog.get((msgid, index))
                if got != e.msgstr[index]:
                    stale.append(f"{_label(e)}[{index}]: .mo has {got!r}, .po has {e.msgstr[index]!r}")
    extra = [k for k in mo._catalog if k not in expected_keys]
    assert not stale, "django.mo is out of date, run `fangkong compilemessages -l en`:\n" + "\n".join(stale[:20])
    assert not extra, f"django.mo has messages the .po no longer has (recompile): {extra[:20]}"
    assert mo.ngettext("共 %(n)s 户", "共 %(n)s 户", 1) == "%(n)s household"
    assert mo.ngettext("共 %(n)s 户", "共 %(n)s 户", 3) == "%(n)s households"


# ----------------------------------------------------------------- (c) English in the pages

NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.DOTALL)


def _english(client, user):
    login(client, user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def _page(client, url: str) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="en">' in html, url
    nav = NAV.search(html)
    assert nav, url
    assert not CJK.search(nav.group(0)), f"Chinese left in the menu of {url}: {nav.group(0)}"
    return html


def _main(html: str) -> str:
    """The page below the top bar, without the language list (which names 简体中文)."""
    return html.split('<main class="page">', 1)[1]


# Words of the interface (not data) that must not be left in Chinese on any page.
CHINESE_UI = ["首页", "退出", "查找", "导出Excel", "没有找到", "上一页", "下一页", "姓名", "状态", "操作", "筛选"]


@pytest.mark.django_db
def test_chinese_is_the_default(client, qinghuayuan_worker):
    html = login(client, qinghuayuan_worker).get(reverse("accounts:home")).content.decode()
    assert '<html lang="zh-hans">' in html and "首页" in html and "Logout" not in html


@pytest.mark.django_db
def test_switching_to_english(client, qinghuayuan_worker, zhang_san):
    client = _english(client, qinghuayuan_worker)
    pages = {
        reverse("accounts:home"): ["Home", "People", "Households", "Logout", "Population", "Hello,"],
        reverse("people:person_list"): ["Search", "Tags", "Name"],
        reverse("people:household_list"): ["Address keyword", "household"],
        reverse("people:person_detail", args=[zhang_san.pk]): ["Age", "Relation to head"],
        reverse("screening:arrival_list"): ["Arrivals", "Returnees", "Screening coverage"],
        reverse("screening:returnee_list"): ["Arrived since", "Measure"],
        reverse("screening:campaign_list"): ["Area"],
        reverse("screening:coverage"): ["Door-to-door screening coverage"],
        reverse("followups:today"): ["Today's work", "Overdue checks", "Due in this time slot"],
        reverse("followups:list"): ["Quarantine/monitoring", "Health checks", "Referrals", "Deliveries"],
        reverse("followups:checks"): ["Temperature/symptoms"],
        reverse("followups:referrals"): ["Fever clinic referral"],
        reverse("followups:deliveries"): ["Supply deliveries", "Needed by"],
        reverse("approvals:list"): ["Approvals", "Requested by"],
        reverse("regions:browse"): ["Population", "Households"],
    }
    for url, words in pages.items():
        html = _page(client, url)
        missing = [w for w in words if w not in html]
        assert not missing, f"{url}: English words missing: {missing}"
        left = [w for w in CHINESE_UI if w in _main(html)]
        assert not left, f"{url}: Chinese interface words left: {left}"
    assert zhang_san.name in _page(client, reverse("people:person_detail", args=[zhang_san.pk]))  # data stays


@pytest.mark.django_db
def test_english_audit_page_for_the_inspector(client, inspector):
    html = _page(_english(client, inspector), reverse("audit:list"))
    for word in ["Audit", "Action", "Object type", "Export to Excel", "Filter"]:
        assert word in html
    assert not [w for w in CHINESE_UI if w in _main(html)]


@pytest.mark.django_db
def test_english_checkpoint_pages(client, checkpoint_staff):
    client = _english(client, checkpoint_staff)
    for url, words in {
        reverse("checkpoints:list"): ["Checkpoints", "Checkpoint name"],
        reverse("checkpoints:risk_areas"): ["Level", "Period"],
        reverse("checkpoints:norms"): ["Checkpoint work norms"],
    }.items():
        html = _page(client, url)
        assert not [w for w in words if w not in html], url
        assert not [w for w in CHINESE_UI if w in _main(html)], url


@pytest.mark.django_db
def test_english_login_page(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert "Username" in html and "Password" in html and "用户名" not in html


# ----------------------------------------------------------------- (d) no string is left out


def test_no_string_is_missing_from_the_catalog(tmp_path, monkeypatch):
    """makemessages over a copy of the sources finds no msgid the committed catalog lacks."""
    for tool in ("xgettext", "msgmerge", "msguniq"):
        if shutil.which(tool) is None:
            pytest.skip(
                f"GNU gettext's {tool} is not installed (apt-get install gettext); "
                "CI installs it, so the check runs there"
            )
    copy = tmp_path / "fangkong"
    for path in PACKAGE.rglob("*"):
        relative = path.relative_to(PACKAGE)
        if (
            path.is_file()
            and path.suffix in (".py", ".html", ".txt")
            and not {"__pycache__", "locale", "node_modules", "vendor"} & set(relative.parts)
        ):
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy / relative)
    locale = copy / "locale"
    (locale / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copyfile(PO_FILE, locale / "en" / "LC_MESSAGES" / "django.po")
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(locale)]):
        call_command("makemessages", locale=["en"], no_obsolete=True, ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0)
    regenerated = locale / "en" / "LC_MESSAGES" / "django.po"
    _, fresh = parse_po(regenerated.read_text(encoding="utf-8"), "regenerated django.po")
    _, committed = _catalog()
    known = {e.key for e in committed}
    missing = [f"{e.msgid!r}" for e in fresh if e.key not in known]
    assert len(fresh) > 500
    assert not missing, (
        f"{len(missing)} strings are marked for translation but are not in the English catalog; "
        "see this module's docstring for how to add them:\n" + "\n".join(missing[:50])
    )
    assert not (PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.pot").exists()
