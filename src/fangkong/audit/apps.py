from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fangkong.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self):
        from fangkong.accounts.roles import AUDIT_VIEW, Role, grant
        from fangkong.core.registry import MenuEntry, menu_entry

        grant({Role.INSPECTOR: {AUDIT_VIEW}, Role.ADMIN: {AUDIT_VIEW}})
        menu_entry(MenuEntry(_("审计"), "audit:list", AUDIT_VIEW, order=90))
