"""The passage counts index and the default work norms (工作规范) per level.

The counts index is (registered_on, division_code): one day, then a code
prefix, is one index range. On PostgreSQL it INCLUDEs the counted columns so
the counts are an index-only scan; SQLite has no covering indexes (and Django
warns, models.W040, if the model declares one), so it is created here rather
than in the model's Meta."""

from django.db import migrations

NORMS = {
    "city": [
        "对每位进入人员测量体温并如实登记",
        "外地车辆逐车登记车牌、来源地、目的地和同车人员",
        "查验身份证件，核对是否来自疫情风险地区",
        "发热人员就地留观、复测，按规定转运发热门诊，不得自行离开",
        "来自风险地区人员当即推送目的地村/社区，并告知居家隔离要求",
        "体温枪、消毒液、口罩等物资充足，卡点每日消毒不少于2次",
        "工作人员佩戴口罩、手套，做好个人防护",
        "24小时值守，交接班记录完整",
    ],
    "county": [
        "对每位进出人员测量体温并如实登记",
        "外地车辆逐车登记车牌、来源地、目的地和同车人员",
        "劝返非必要出行人员和车辆",
        "发热人员就地留观、复测，按规定转运发热门诊",
        "来自风险地区人员当即推送目的地村/社区",
        "体温枪、消毒液、口罩等物资充足，卡点每日消毒",
        "工作人员佩戴口罩，做好个人防护",
        "交接班记录完整",
    ],
    "community": [
        "只留一个出入口，其余出入口封闭",
        "本村/小区居民凭出入证出入，外来人员和车辆一律登记",
        "每位出入人员测量体温",
        "外地返乡人员登记后立即报告村/社区，落实居家隔离",
        "快递、外卖在门口无接触交接",
        "消毒液、体温枪、口罩充足，门岗每日消毒",
        "值守人员佩戴口罩，交接班有记录",
    ],
}

PG_INDEX = ("CREATE INDEX passage_day_division ON checkpoints_passage (registered_on, division_code) "
            "INCLUDE (direction, fever, risk_area)")
PLAIN_INDEX = "CREATE INDEX passage_day_division ON checkpoints_passage (registered_on, division_code)"


def create_index(apps, schema_editor):
    sql = PG_INDEX if schema_editor.connection.vendor == "postgresql" else PLAIN_INDEX
    schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP INDEX passage_day_division")


def seed_norms(apps, schema_editor):
    WorkNorm = apps.get_model("checkpoints", "WorkNorm")
    if WorkNorm.objects.exists():
        return
    WorkNorm.objects.bulk_create([
        WorkNorm(level=level, position=i, text=text)
        for level, texts in NORMS.items() for i, text in enumerate(texts, start=1)
    ])


def unseed_norms(apps, schema_editor):
    WorkNorm = apps.get_model("checkpoints", "WorkNorm")
    WorkNorm.objects.filter(text__in=[t for texts in NORMS.values() for t in texts]).delete()


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(seed_norms, unseed_norms),
    ]
