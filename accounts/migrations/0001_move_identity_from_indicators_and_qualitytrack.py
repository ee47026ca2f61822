# Profile, AuditEvent, AuditChainHead (from ``indicators``) and ApiToken (from ``qualitytrack``)
# take their existing tables: state only, then their content types follow them.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
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
    ("indicators", "accounts", "profile"),
    ("indicators", "accounts", "auditevent"),
    ("indicators", "accounts", "auditchainhead"),
    ("qualitytrack", "accounts", "apitoken"),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('qualitytrack', '0004_models_moved_to_accounts_feed_web'),
        ('indicators', '0009_profile_and_audit_moved_to_accounts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are (same db_table): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditChainHead',
                    fields=[
                        ('chain', models.CharField(max_length=40, primary_key=True, serialize=False, verbose_name='链')),
                        ('seq', models.PositiveBigIntegerField(default=0, verbose_name='末条序号')),
                        ('hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='末条哈希')),
                        ('anchor_seq', models.PositiveBigIntegerField(default=0, verbose_name='锚点序号')),
                        ('anchor_hash', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64, verbose_name='锚点哈希')),
                        ('mac', models.CharField(max_length=64, verbose_name='校验码')),
                        ('recreated', models.BooleanField(default=False, verbose_name='曾被删除后重建')),
                    ],
                    options={
                        'verbose_name': '审计链头',
                        'verbose_name_plural': '审计链头',
                        'db_table': 'indicators_auditchainhead',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField(editable=False, unique=True, verbose_name='序号')),
                        ('prev_hash', models.CharField(editable=False, max_length=64, verbose_name='前序哈希')),
                        ('hash', models.CharField(editable=False, max_length=64, verbose_name='哈希')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='时间')),
                        ('kind', models.CharField(choices=[('login', '登录成功'), ('login_failed', '登录失败'), ('locked_out', '账号锁定'), ('logout', '退出登录'), ('denied', '越权访问'), ('export', '数据导出'), ('user', '用户管理'), ('retention', '日志清理'), ('plan', '规划与目标变更'), ('token', 'API令牌'), ('report', '报告')], db_index=True, max_length=15, verbose_name='类型')),
                        ('username', models.CharField(blank=True, db_index=True, max_length=150, verbose_name='用户名')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP地址')),
                        ('method', models.CharField(blank=True, max_length=10, verbose_name='请求方法')),
                        ('path', models.CharField(blank=True, max_length=300, verbose_name='路径')),
                        ('detail', models.CharField(blank=True, max_length=500, verbose_name='详情')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
                    ],
                    options={
                        'verbose_name': '审计日志',
                        'verbose_name_plural': '审计日志',
                        'db_table': 'indicators_auditevent',
                        'ordering': ['-at', '-pk'],
                        'abstract': False,
                        'base_manager_name': 'objects',
                    },
                ),
                migrations.CreateModel(
                    name='Profile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('must_change_password', models.BooleanField(default=False, verbose_name='首次登录须修改密码')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='indicators.department', verbose_name='部门')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='indicators.region', verbose_name='地区')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
                    ],
                    options={
                        'verbose_name': '用户归属',
                        'verbose_name_plural': '用户归属',
                        'db_table': 'indicators_profile',
                    },
                ),
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='名称')),
                        ('kind', models.CharField(choices=[('portal', '门户（只读）'), ('department', '部门系统（可写入）')], max_length=12, verbose_name='类型')),
                        ('prefix', models.CharField(max_length=16, unique=True, verbose_name='前缀')),
                        ('key_hash', models.CharField(max_length=64, verbose_name='密钥摘要')),
                        ('throttle_rate', models.CharField(blank=True, help_text='如 600/min；为空时使用默认值', max_length=20, verbose_name='限流')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='最近使用')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='吊销时间')),
                        ('accountable', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='accountable_tokens', to=settings.AUTH_USER_MODEL, verbose_name='责任人')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='api_tokens', to='indicators.department', verbose_name='部门')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='吊销人')),
                        ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='api_token', to=settings.AUTH_USER_MODEL, verbose_name='服务账号')),
                    ],
                    options={
                        'verbose_name': 'API 令牌',
                        'verbose_name_plural': 'API 令牌',
                        'db_table': 'qualitytrack_apitoken',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('department__isnull', True), ('kind', 'portal')), models.Q(('department__isnull', False), ('kind', 'department')), _connector='OR'), name='apitoken_department_iff_department_kind')],
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
