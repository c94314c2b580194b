from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "fangkong.followups"
    label = "followups"
    verbose_name = _("隔离与健康监测")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from fangkong.accounts.roles import (
            FOLLOWUPS_EDIT,
            FOLLOWUPS_EXPORT,
            FOLLOWUPS_POLICY,
            FOLLOWUPS_VIEW,
            REFERRALS_PICK_UP,
            Role,
            grant,
        )
        from fangkong.approvals.registry import ApprovalKind, register
        from fangkong.core.registry import MenuEntry, api_router, menu_entry

        work = {FOLLOWUPS_VIEW, FOLLOWUPS_EDIT, FOLLOWUPS_EXPORT}
        grant(
            {
                Role.HQ: work | {FOLLOWUPS_POLICY},
                Role.COUNTY: work,
                Role.TOWNSHIP: work,
                Role.GRID: work,
                Role.CLINIC: {FOLLOWUPS_VIEW, REFERRALS_PICK_UP},
                Role.INSPECTOR: {FOLLOWUPS_VIEW},
                Role.ADMIN: work | {FOLLOWUPS_POLICY},
            }
        )
        menu_entry(MenuEntry(_("今日"), "followups:today", FOLLOWUPS_VIEW, order=10))
        menu_entry(MenuEntry(_("隔离"), "followups:list", FOLLOWUPS_VIEW, order=70))
        api_router("/followups", "fangkong.followups.api.router", order=40)

        from fangkong.core.indicators import Indicator
        from fangkong.core.indicators import register as indicator

        from .selectors import followup_indicator_counts

        table = "followups.FollowUpDayCount"
        for order, (code, label, unit, worse, tab) in enumerate(
            [
                ("in_home_quarantine", _("居家隔离人数"), _("人"), True, table),
                ("in_central_quarantine", _("集中隔离人数"), _("人"), True, table),
                ("in_health_monitoring", _("健康监测人数"), _("人"), True, table),
                ("in_medical_observation", _("医学观察人数"), _("人"), True, table),
                ("checks_due", _("应做健康检测"), _("次"), False, table),
                ("checks_done", _("已做健康检测"), _("次"), False, table),
                ("checks_overdue", _("逾期健康检测"), _("次"), True, table),
                ("referrals_open", _("未结转诊"), _("件"), True, table),
                ("deliveries_open", _("未完成配送"), _("件"), True, table),
                ("deliveries_overdue", _("逾期配送"), _("件"), True, ""),
            ]
        ):
            indicator(
                Indicator(
                    code, label, unit, worse, FOLLOWUPS_VIEW, followup_indicator_counts, table=tab, order=300 + order
                )
            )

        from . import measures
        from .services import followup_release_apply, followup_weaken_apply

        register(
            ApprovalKind(
                code=measures.RELEASE_KIND,
                label=_("解除隔离/监测"),
                capability=FOLLOWUPS_EDIT,
                apply=followup_release_apply,
                describe=measures.describe_release,
            )
        )
        register(
            ApprovalKind(
                code=measures.WEAKEN_KIND,
                label=_("减轻或缩短措施"),
                capability=FOLLOWUPS_EDIT,
                apply=followup_weaken_apply,
                describe=measures.describe_weaken,
            )
        )
        register(
            ApprovalKind(
                code=measures.CENTRAL_KIND,
                label=_("确认集中隔离"),
                capability=FOLLOWUPS_EDIT,
                apply=measures.central_approve,
                on_reject=measures.central_reject,
                describe=measures.describe_central,
            )
        )
