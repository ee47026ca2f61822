# Issue 12 (docs/reliability.md, "Penetration-test findings, part A"): a correction is a
# proposal (Observation.proposed_*), import jobs record when they started (the sweep), chain
# heads record whether they were rebuilt, a password set by an administrator must be changed,
# two new audit kinds; and, on PostgreSQL, triggers refusing TRUNCATE of the audit tables and
# of the chain heads, and DELETE of a chain head.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TRUNCATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION qualitytrack_audit_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Django's test runner empties the database between transactional tests with TRUNCATE;
    -- the test suite sets qualitytrack.allow_truncate for its own connections only.
    IF current_setting('qualitytrack.allow_truncate', true) = 'on' THEN
        RETURN OLD;  -- DELETE goes ahead; a statement-level TRUNCATE ignores the value
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'qualitytrack: DELETE on % refused: audit chain heads are append-only',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'qualitytrack: % on % refused: audit records are append-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""
AUDIT_TABLES = (
    "indicators_auditevent", "indicators_observationchange", "indicators_auditchainhead",
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: verify_audit detects an emptied table through the chain heads
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(TRUNCATE_FUNCTION)
        for table in AUDIT_TABLES:
            cursor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION qualitytrack_audit_no_truncate()"
            )
        cursor.execute(  # heads are only ever updated: removing one hides an emptied table
            "CREATE TRIGGER indicators_auditchainhead_no_delete BEFORE DELETE ON "
            "indicators_auditchainhead FOR EACH ROW "
            "EXECUTE FUNCTION qualitytrack_audit_no_truncate()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS indicators_auditchainhead_no_delete ON indicators_auditchainhead"
    )
    for table in AUDIT_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS qualitytrack_audit_no_truncate()")


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0004_audit_hash_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='recreated',
            field=models.BooleanField(default=False, verbose_name='曾被删除后重建'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='开始处理时间'),
        ),
        migrations.AddField(
            model_name='observation',
            name='proposed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='更正提交时间'),
        ),
        migrations.AddField(
            model_name='observation',
            name='proposed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='更正人'),
        ),
        migrations.AddField(
            model_name='observation',
            name='proposed_reason',
            field=models.TextField(blank=True, verbose_name='更正原因'),
        ),
        migrations.AddField(
            model_name='observation',
            name='proposed_state',
            field=models.CharField(blank=True, choices=[('not_started', '未启动'), ('in_progress', '推进中'), ('done', '已完成')], max_length=12, verbose_name='更正后进展状态'),
        ),
        migrations.AddField(
            model_name='observation',
            name='proposed_value',
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=18, null=True, verbose_name='更正后数值'),
        ),
        migrations.AddField(
            model_name='profile',
            name='must_change_password',
            field=models.BooleanField(default=False, verbose_name='首次登录须修改密码'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('login', '登录成功'), ('login_failed', '登录失败'), ('locked_out', '账号锁定'), ('logout', '退出登录'), ('denied', '越权访问'), ('export', '数据导出'), ('user', '用户管理'), ('retention', '日志清理'), ('token', 'API令牌'), ('report', '报告')], db_index=True, max_length=15, verbose_name='类型'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
