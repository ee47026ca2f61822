# Tombstone (from ``qualitytrack``) takes its existing table: state only, then its content
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
    ("qualitytrack", "feed", "tombstone"),
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
                    name='Tombstone',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('model', models.CharField(max_length=60, verbose_name='模型')),
                        ('object_id', models.BigIntegerField(verbose_name='对象编号')),
                        ('natural_key', models.CharField(blank=True, max_length=200, verbose_name='业务键')),
                        ('reason', models.CharField(choices=[('deleted', '已删除'), ('unpublished', '已撤出公开数据')], max_length=12, verbose_name='原因')),
                        ('deleted_at', models.DateTimeField(db_index=True, verbose_name='删除时间')),
                    ],
                    options={
                        'verbose_name': '删除记录',
                        'verbose_name_plural': '删除记录',
                        'db_table': 'qualitytrack_tombstone',
                        'ordering': ['deleted_at', 'pk'],
                        'indexes': [models.Index(fields=['model', 'deleted_at'], name='qualitytrac_model_d0ca6c_idx')],
                        'constraints': [models.UniqueConstraint(fields=('model', 'object_id'), name='tombstone_unique_object')],
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
