from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    SEARCH = "search", _("查询")
    REVEAL = "reveal", _("查看完整信息")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    MOVE = "move", _("迁移")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    TOKEN = "token", _("API令牌")
    DENIED = "denied", _("拒绝访问")
    ALERT = "alert", _("异常提醒")  # e.g. a user revealed more full numbers in a day than the threshold
