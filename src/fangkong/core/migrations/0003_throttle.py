"""core.Throttle: the one table every request limit counts in (core.throttle).
It replaces screening.ReportThrottle (dropped in screening 0009 without copying
its rows: throttle windows are transient)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_http_verbose_names'),
    ]

    operations = [
        migrations.CreateModel(
            name='Throttle',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(help_text="HMAC-SHA256 of the limit's name and the client", max_length=64)),
                ('window', models.CharField(help_text="the limit's name and the window's local start, e.g. self-report.minute@202011291712", max_length=48)),
                ('count', models.PositiveIntegerField(default=0)),
                ('expires_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': '限流计数',
                'verbose_name_plural': '限流计数',
                'indexes': [models.Index(fields=['expires_at'], name='core_throttle_expires')],
                'constraints': [models.UniqueConstraint(fields=('key', 'window'), name='core_throttle_key_window')],
            },
        ),
    ]
