"""English pages carry no Chinese punctuation between translated words.

Each demo account's pages are crawled in English (one page per URL pattern,
following the links the pages offer) over the demo city's data. Data may be
Chinese (names, addresses), so a mark counts only where it touches Latin text:
"Registered person：" or "（Pushed to …）"."""

import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from fangkong.accounts.models import User

MARKS = "：（），。；、"
# A Chinese mark with Latin text right before or right after it (spaces allowed).
BETWEEN_WORDS = re.compile(rf"[A-Za-z][ ]*[{MARKS}]|[{MARKS}][ ]*[A-Za-z]")
SKIP = ("/logout/", "/i18n/", "/admin/", "/api/", "/report/", "/static/")
ROLES = ["hq", "qibin", "taishanlu", "qinghuayuan", "ximazhuang", "checkpoint", "clinic", "inspector", "admin"]
MAX_PAGES = 35


class _Page(HTMLParser):
    """The visible text (with each element's attributes people see) and the links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("placeholder", "title", "aria-label", "data-label", "value"):
            if attrs.get(name) and not (tag == "input" and attrs.get("type") == "hidden"):
                self.text.append(f"\n{attrs[name]}\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        self.text.append("\n" if tag in ("p", "div", "li", "tr", "td", "th", "dt", "dd", "option", "h1", "h2") else "")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "#", path)


def _crawl(client: Client) -> dict[str, str]:
    """path -> visible text, one page per URL pattern, breadth first from home."""
    seen, found, queue = set(), {}, ["/"]
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        found[path] = "".join(page.text)
        for href in page.links:
            url = urlsplit(href)
            if url.netloc or not url.path.startswith("/") or url.path.startswith(SKIP) or url.path.endswith(".xlsx"):
                continue
            queue.append(url.path)
    return found


@pytest.fixture
def demo_city(hebi):
    with translation.override("zh-hans"):  # the demo's data in Chinese, as a Chinese user typed it
        call_command("demo", persons=300, seed=1, no_serve=True, stdout=StringIO())


@pytest.mark.django_db
def test_english_pages_have_no_chinese_punctuation_between_words(demo_city):
    problems = []
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        pages = _crawl(client)
        assert len(pages) >= 3, (username, pages.keys())
        for path, text in pages.items():
            problems += [
                f"{username} {path}: {line.strip()[:120]}" for line in text.splitlines() if BETWEEN_WORDS.search(line)
            ]
    assert not problems, "\n".join(sorted(set(problems)))
