from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "fangkong.ledgers"
    label = "ledgers"
    verbose_name = _("台账")

    def ready(self):
        from fangkong.accounts.roles import PEOPLE_EDIT
        from fangkong.core.registry import MenuEntry, menu_entry

        menu_entry(MenuEntry(_("导入"), "ledgers:import", PEOPLE_EDIT, order=40))
