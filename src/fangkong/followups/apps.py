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

        from . import measures
        from .services import followup_release_apply, followup_weaken_apply

        register(ApprovalKind(code=measures.RELEASE_KIND, label=_("解除隔离/监测"), capability=FOLLOWUPS_EDIT,
                              apply=followup_release_apply, describe=measures.describe_release))
        register(ApprovalKind(code=measures.WEAKEN_KIND, label=_("减轻或缩短措施"), capability=FOLLOWUPS_EDIT,
                              apply=followup_weaken_apply, describe=measures.describe_weaken))
        register(ApprovalKind(code=measures.CENTRAL_KIND, label=_("确认集中隔离"), capability=FOLLOWUPS_EDIT,
                              apply=measures.central_approve, on_reject=measures.central_reject,
                              describe=measures.describe_central))
