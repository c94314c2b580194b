from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "fangkong.regions"
    label = "regions"
    verbose_name = _("区划")

    def ready(self):
        from fangkong.accounts.roles import DIVISIONS_EDIT, DIVISIONS_VIEW, Role, grant
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        grant({role: {DIVISIONS_VIEW} for role in Role})
        grant({role: {DIVISIONS_EDIT} for role in (Role.HQ, Role.COUNTY, Role.TOWNSHIP, Role.ADMIN)})
        menu_entry(MenuEntry(_("区划"), "regions:browse", DIVISIONS_VIEW, order=20))
        api_router("/divisions", "fangkong.regions.api.router", order=10)
