from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "fangkong.approvals"
    label = "approvals"
    verbose_name = "审批"
