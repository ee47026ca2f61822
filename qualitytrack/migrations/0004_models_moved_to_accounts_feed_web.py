# ApiToken moved to ``accounts``, Tombstone to ``feed``, Heartbeat to ``web``
# (docs/architecture.md); their tables keep their names, so nothing in the database changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('qualitytrack', '0003_merge_heartbeat_and_accountable_token'),
    ]

    operations = [
        # The tables stay where they are (same db_table): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='apitoken',
                    name='accountable',
                ),
                migrations.RemoveField(
                    model_name='apitoken',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='apitoken',
                    name='department',
                ),
                migrations.RemoveField(
                    model_name='apitoken',
                    name='revoked_by',
                ),
                migrations.RemoveField(
                    model_name='apitoken',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Heartbeat',
                ),
                migrations.DeleteModel(
                    name='Tombstone',
                ),
                migrations.DeleteModel(
                    name='ApiToken',
                ),
            ],
            database_operations=[],
        ),
    ]
