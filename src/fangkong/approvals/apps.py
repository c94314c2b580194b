from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "fangkong.approvals"
    label = "approvals"
    verbose_name = _("审批")

    def ready(self):
        from fangkong.core.registry import MenuEntry, menu_entry

        menu_entry(MenuEntry(_("审批"), "approvals:list", order=80))
