"""Returnee.followup_id (a bare number) becomes the foreign key
Returnee.followup on the same column: the values are kept; the database gains
the constraint and the index."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0009_returnee_followup_forget_missing'),
        ('followups', '0006_merge_measures'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name='returnee',
                    name='followup_id',
                    field=models.ForeignKey(blank=True, db_column='followup_id', null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                            to='followups.followup'),
                ),
            ],
            state_operations=[
                migrations.RemoveField(
                    model_name='returnee',
                    name='followup_id',
                ),
                migrations.AddField(
                    model_name='returnee',
                    name='followup',
                    field=models.ForeignKey(blank=True, help_text='the follow-up the decision started, if any',
                                            null=True, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='followups.followup'),
                ),
            ],
        ),
    ]
