from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fangkong.people"
    label = "people"
    verbose_name = _("人口")

    def ready(self):
        from fangkong.accounts.roles import PEOPLE_EDIT
        from fangkong.approvals.registry import ApprovalKind, register

        from .services import MOVE_KIND, person_move_apply

        # Decided by someone who may edit people where the person lives NOW.
        register(ApprovalKind(code=MOVE_KIND, label=_("跨辖区迁入人员"), capability=PEOPLE_EDIT,
                              apply=person_move_apply))
