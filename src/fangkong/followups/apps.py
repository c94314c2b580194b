from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "fangkong.followups"
    label = "followups"
    verbose_name = _("隔离与健康监测")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from fangkong.accounts.roles import FOLLOWUPS_EDIT
        from fangkong.approvals.registry import ApprovalKind, register

        from .services import RELEASE_KIND, followup_release_apply

        register(ApprovalKind(code=RELEASE_KIND, label=_("解除隔离/监测"), capability=FOLLOWUPS_EDIT,
                              apply=followup_release_apply))
