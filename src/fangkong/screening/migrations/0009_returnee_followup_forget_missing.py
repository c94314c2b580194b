"""Before Returnee.followup_id becomes a foreign key (0010): a returnee that
points at a follow-up that no longer exists keeps its decision and loses the
dangling link (the constraint could not be added otherwise)."""

from django.db import migrations


def forget_missing_followups(apps, schema_editor):
    Returnee = apps.get_model("screening", "Returnee")
    FollowUp = apps.get_model("followups", "FollowUp")
    (Returnee.objects.filter(followup_id__isnull=False)
     .exclude(followup_id__in=FollowUp.objects.values("pk")).update(followup_id=None))


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0008_arrivalrule_verbose_names'),
        ('followups', '0006_merge_measures'),
    ]

    operations = [
        migrations.RunPython(forget_missing_followups, migrations.RunPython.noop, elidable=True),
    ]
