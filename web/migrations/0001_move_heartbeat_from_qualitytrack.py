# Heartbeat (from ``qualitytrack``) takes its existing table: state only, then its content
# type follows it.

from django.db import migrations, models


def _move_content_types(moves):  # (old app, new app, model)
    """Existing deployments: the moved models keep their content type (so their permissions,
    and admin log entries, keep pointing at them). Skipped where the new one already exists."""

    def forwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for old_app, new_app, model in moves:
            if not ContentType.objects.using(db).filter(app_label=new_app, model=model).exists():
                ContentType.objects.using(db).filter(app_label=old_app, model=model).update(
                    app_label=new_app
                )

    return forwards


MOVES = [
    ("qualitytrack", "web", "heartbeat"),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('qualitytrack', '0004_models_moved_to_accounts_feed_web'),
    ]

    operations = [
        # The tables stay where they are (same db_table): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Heartbeat',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=40, unique=True, verbose_name='名称')),
                        ('at', models.DateTimeField(verbose_name='时间')),
                        ('detail', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                    ],
                    options={
                        'verbose_name': '后台心跳',
                        'verbose_name_plural': '后台心跳',
                        'db_table': 'qualitytrack_heartbeat',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _move_content_types(MOVES),
            _move_content_types([(new, old, model) for old, new, model in MOVES]),
        ),
    ]
