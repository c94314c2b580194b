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


def _register_ledger() -> None:
    """The returnee list (上级下发返乡人员名单) is a kind of the shared Excel
    import (fangkong.ledgers); it registers itself here like approval kinds do."""
    from fangkong.accounts.roles import SCREENING_IMPORT
    from fangkong.ledgers.kinds import KINDS, Kind

    KINDS.setdefault("returnees", Kind("returnees", _("返乡人员名单（上级下发）"),
                                       "fangkong.screening.ledger.ReturneeListLedger", SCREENING_IMPORT,
                                       "returnees-template.xlsx", "screening.arrival"))
