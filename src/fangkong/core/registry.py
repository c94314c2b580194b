"""What an app plugs in. An app is added with one line in ``INSTALLED_APPS``
(and one ``include`` in ``urls.py`` if it has pages); everything else it
registers itself in its ``AppConfig.ready()``:

* capabilities and the roles that have them: ``fangkong.accounts.roles.grant``
* menu entries: ``menu_entry`` (label, url name, the capability that shows it, order)
* its API router: ``api_router`` (the path under /api/v1/, order in the document)
* Excel ledger kinds: ``fangkong.ledgers.kinds.register``
* approval kinds: ``fangkong.approvals.registry.register``
* indicators for the command level: ``fangkong.core.indicators.register``

Nothing central names an app (``core/tests/test_registry.py`` checks this)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.module_loading import import_string

# ---------------------------------------------------------------- menu


@dataclass(frozen=True)
class MenuEntry:
    """One link of the main menu."""

    label: Any  # gettext_lazy: rendered in the user's language
    url_name: str  # reversed without arguments
    capability: str = ""  # shown to a user with this capability somewhere; "" → every signed-in user
    order: int = 0  # left to right

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_MENU: dict[str, MenuEntry] = {}


def menu_entry(entry: MenuEntry) -> None:
    """Register ``entry`` (again under the same url name: replaced)."""
    _MENU[entry.url_name] = entry


def menu() -> list[MenuEntry]:
    """Every registered entry, in order."""
    return sorted(_MENU.values(), key=lambda e: (e.order, e.url_name))


def menu_for(capabilities: Iterable[str], *, signed_in: bool = True) -> list[MenuEntry]:
    """The entries a user with ``capabilities`` (anywhere) sees."""
    if not signed_in:
        return []
    caps = set(capabilities)
    return [e for e in menu() if not e.capability or e.capability in caps]


# ---------------------------------------------------------------- API routers


@dataclass(frozen=True)
class ApiRouter:
    """A django-ninja router mounted at ``/api/v1<prefix>``."""

    prefix: str  # e.g. "/persons"
    router: Any  # a ninja.Router, or the dotted path of one (imported when the API is built)
    order: int = 0  # place of its paths in the OpenAPI document

    def load(self) -> Any:
        return import_string(self.router) if isinstance(self.router, str) else self.router


_ROUTERS: dict[str, ApiRouter] = {}


def api_router(prefix: str, router: Any, *, order: int = 0) -> None:
    _ROUTERS[prefix] = ApiRouter(prefix=prefix, router=router, order=order)


def api_routers() -> list[ApiRouter]:
    return sorted(_ROUTERS.values(), key=lambda r: (r.order, r.prefix))
