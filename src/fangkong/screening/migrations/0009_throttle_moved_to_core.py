"""The self-report limit now counts in the shared ``core.Throttle`` table
(``core.throttle``), like every other request limit: ``ReportThrottle`` goes.

Its rows are dropped, not copied. That data loss is acceptable: a throttle
window lives a minute or a day and holds only counts under hashed keys, so
the worst a deployment sees is each client's current window starting again
from zero once."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_throttle'),
        ('screening', '0008_arrivalrule_verbose_names'),
    ]

    operations = [
        migrations.DeleteModel(
            name='ReportThrottle',
        ),
    ]
