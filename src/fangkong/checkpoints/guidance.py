"""What the staff must do next when a passage is flagged: shown on screen at
once and returned by the API, so a tablet shows the same instructions.

A fever in the car overrides the risk-area steps: everyone stays at the
checkpoint until the fever is ruled out, so nobody is told to go home."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .choices import RiskLevel


def next_steps(
    *, fever: bool, risk_level: str, inbound: bool, destination_name: str = "", arrival_queued: bool = False
) -> list[str]:
    steps: list[str] = []
    if fever:
        steps += [
            _("发热：请该人员在卡点临时留观区等候，不得放行或自行离开。"),
            _("10分钟后复测体温（换用水银体温计或另一支体温枪），并在本页记录复测结果。"),
            _("复测仍≥37.3℃：立即拨打120或联系发热门诊闭环转运，不得让其自行前往；同车人员一并留观登记。"),
            _("工作人员做好防护（口罩、手套），转运后对留观区消毒。"),
        ]
    if risk_level:
        if inbound and arrival_queued:
            steps.append(
                _("已自动推送至目的地“%(place)s”待排查名单，请同时电话告知该村/社区。") % {"place": destination_name}
            )
        elif inbound:
            steps.append(_("请电话告知其目的地所在村/社区，做好交接。"))
        if fever:
            # Held at the checkpoint for the fever: nobody is sent home from here.
            if risk_level == RiskLevel.HIGH:
                steps.append(
                    _("来自高风险地区：转运时告知发热门诊其旅居史；排除感染后由目的地村/社区闭环接回，居家隔离14天。")
                )
            else:
                steps.append(_("来自中风险地区：转运时告知发热门诊其旅居史；排除感染后居家健康监测14天。"))
        elif risk_level == RiskLevel.HIGH:
            steps.append(_("来自高风险地区：告知当事人直接回家，居家隔离14天，不得外出；配合社区每日两次体温检测。"))
        else:
            steps.append(_("来自中风险地区：告知当事人居家健康监测14天，每日两次测温，减少外出，出现症状立即报告。"))
    return steps
