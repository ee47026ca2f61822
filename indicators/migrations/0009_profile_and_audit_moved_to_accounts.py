# Profile, AuditEvent and AuditChainHead moved to ``accounts`` (docs/architecture.md); their
# tables keep their names, so nothing in the database changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0008_audit_kinds_plan_token_report'),
    ]

    operations = [
        # The tables stay where they are (same db_table): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='AuditChainHead',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='department',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='region',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='Profile',
                ),
            ],
            database_operations=[],
        ),
    ]
