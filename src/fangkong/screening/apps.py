from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "fangkong.screening"
    label = "screening"
    verbose_name = _("排查")

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
        from .services import register_approval_kind

        register_approval_kind()
        _register_ledger()
        _register_parts()


def _register_parts() -> None:
    """Capabilities, menu entry and API router (fangkong.core.registry)."""
    from django.utils.translation import gettext_lazy as _

    from fangkong.accounts.roles import (
        SCREENING_CAMPAIGN,
        SCREENING_EXPORT,
        SCREENING_HANDLE,
        SCREENING_IMPORT,
        SCREENING_POLICY,
        SCREENING_VIEW,
        Role,
        grant,
    )
    from fangkong.core.registry import MenuEntry, api_router, menu_entry

    work = {SCREENING_VIEW, SCREENING_HANDLE, SCREENING_CAMPAIGN, SCREENING_EXPORT, SCREENING_IMPORT}
    grant(
        {
            Role.HQ: work | {SCREENING_POLICY},
            Role.COUNTY: work,
            Role.TOWNSHIP: work,
            Role.GRID: work,
            Role.ADMIN: work,
            Role.INSPECTOR: {SCREENING_VIEW},
        }
    )
    menu_entry(MenuEntry(_("排查"), "screening:arrival_list", SCREENING_VIEW, order=60))
    api_router("/screening", "fangkong.screening.api.router", order=50)

    from fangkong.core.indicators import Indicator, register

    from .selectors import screening_indicator_counts

    for order, (code, label, unit, worse, table) in enumerate(
        [
            ("arrivals_pending", _("待处理来访人员"), _("人"), True, ""),
            ("arrivals_handled", _("已处理来访人员"), _("人"), False, ""),
            ("self_reports", _("主动申报人数"), _("人"), False, ""),
            ("returnees", _("确认返乡人员"), _("人"), False, ""),
            ("screening_coverage", _("入户排查覆盖率"), "%", False, "screening.CoverageCount"),
        ]
    ):
        register(
            Indicator(
                code, label, unit, worse, SCREENING_VIEW, screening_indicator_counts, table=table, order=200 + order
            )
        )


def _register_ledger() -> None:
    """The returnee list (上级下发返乡人员名单) is a kind of the shared Excel
    import (fangkong.ledgers); it registers itself here like approval kinds do."""
    from fangkong.accounts.roles import SCREENING_IMPORT
    from fangkong.ledgers.kinds import KINDS, Kind

    KINDS.setdefault(
        "returnees",
        Kind(
            "returnees",
            _("返乡人员名单（上级下发）"),
            "fangkong.screening.ledger.ReturneeListLedger",
            SCREENING_IMPORT,
            "returnees-template.xlsx",
            "screening.arrival",
        ),
    )
