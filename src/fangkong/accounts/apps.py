from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fangkong.accounts"
    label = "accounts"
    verbose_name = _("账号与辖区")

    def ready(self):
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        menu_entry(MenuEntry(_("首页"), "accounts:home", order=0))
        api_router("/accounts", "fangkong.accounts.api.router", order=0)
