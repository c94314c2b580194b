from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "fangkong.followups"
    label = "followups"
    verbose_name = "隔离与健康监测"
