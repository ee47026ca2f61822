# Audit integrity (issue 9): a hash chain over AuditEvent and ObservationChange, the chain heads,
# and, on PostgreSQL, triggers that refuse UPDATE and DELETE on both tables (the retention job
# alone may delete AuditEvents older than its cutoff). Existing rows are chained in id order.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from accounts import audit_chain

TRIGGER_FUNCTION = r"""
CREATE OR REPLACE FUNCTION qualitytrack_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    prune_before text := current_setting('qualitytrack.prune_before', true);
BEGIN
    -- The retention job (manage.py prune_audit) sets qualitytrack.prune_before for its own
    -- transaction (set_config(..., true)); only rows older than that may then go, and only from
    -- the table whose trigger says 'prunable'. ObservationChange is never deleted.
    IF TG_OP = 'DELETE' AND TG_ARGV[0] = 'prunable'
       AND coalesce(prune_before, '') <> '' AND OLD.at < prune_before::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'qualitytrack: % on % refused: audit records are append-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

TRIGGERS = {
    "indicators_auditevent": "prunable",
    "indicators_observationchange": "never",
}


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (local, tests): the models and managers refuse; verify_audit detects
    with schema_editor.connection.cursor() as cursor:  # no params: RAISE's '%' stays as is
        cursor.execute(TRIGGER_FUNCTION)
        for table, mode in TRIGGERS.items():
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION qualitytrack_audit_append_only('{mode}')"
            )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS qualitytrack_audit_append_only()")


def chain_existing_rows(apps, schema_editor):
    """Give every existing row its seq, prev_hash and hash (id order), and create the heads."""
    db = schema_editor.connection.alias
    if schema_editor.connection.vendor == "postgresql":
        # Rows are updated and the table altered in one transaction: no deferred FK events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    head_model = apps.get_model("indicators", "AuditChainHead")
    for chain in ("auditevent", "observationchange"):
        model = apps.get_model("indicators", chain)
        names = audit_chain.CHAIN_FIELDS[chain]
        seq, prev = 0, audit_chain.GENESIS
        rows = model._base_manager.using(db).order_by("pk")
        for row in rows.values("pk", *names).iterator(chunk_size=2000):
            seq += 1
            values = {name: row[name] for name in names}
            digest = audit_chain.row_hash(chain, seq, prev, values)
            model._base_manager.using(db).filter(pk=row["pk"]).update(
                seq=seq, prev_hash=prev, hash=digest
            )
            prev = digest
        head_model._base_manager.using(db).update_or_create(
            chain=chain,
            defaults={
                "seq": seq, "hash": prev, "anchor_seq": 0, "anchor_hash": audit_chain.GENESIS,
                "mac": audit_chain.head_mac(chain, seq, prev, 0, audit_chain.GENESIS),
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0003_import_job_audit_event'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('chain', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='链')),
                ('seq', models.PositiveBigIntegerField(default=0, verbose_name='末条序号')),
                ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='末条哈希')),
                ('anchor_seq', models.PositiveBigIntegerField(default=0, verbose_name='锚点序号')),
                ('anchor_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='锚点哈希')),
                ('mac', models.CharField(max_length=64, verbose_name='校验码')),
            ],
            options={
                'verbose_name': '审计链头',
                'verbose_name_plural': '审计链头',
            },
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'base_manager_name': 'objects', 'ordering': ['-at', '-pk'], 'verbose_name': '审计日志', 'verbose_name_plural': '审计日志'},
        ),
        migrations.AlterModelOptions(
            name='observationchange',
            options={'base_manager_name': 'objects', 'ordering': ['observation_id', 'at', 'pk'], 'verbose_name': '数据变更记录', 'verbose_name_plural': '数据变更记录'},
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='前序哈希'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='哈希'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='observationchange',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name='序号'),
        ),
        migrations.AddField(
            model_name='observationchange',
            name='prev_hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='前序哈希'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='observationchange',
            name='hash',
            field=models.CharField(default='', editable=False, max_length=64, verbose_name='哈希'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='时间'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('login', '登录成功'), ('login_failed', '登录失败'), ('locked_out', '账号锁定'), ('logout', '退出登录'), ('denied', '越权访问'), ('export', '数据导出'), ('user', '用户管理'), ('retention', '日志清理')], db_index=True, max_length=15, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='用户'),
        ),
        migrations.AlterField(
            model_name='observationchange',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='时间'),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='序号'),
        ),
        migrations.AlterField(
            model_name='observationchange',
            name='seq',
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='序号'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
