"""The office's bulk load of past figures from a CSV or Excel file, all or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from indicators.services import HistoryImportError, observations_import_history


class Command(BaseCommand):
    help = (
        "导入历史数据（CSV 或 Excel，列：地区、指标、年份、季度、数值）。"
        "整批校验（与填报页面、Excel、API 同一套规则），任何一行有误则不写入；"
        "--by 指定负责导入的领导小组办公室账号（记入修改记录）；"
        "--approve 直接置为已审核并重算进度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--approve", action="store_true", help="导入后直接置为已审核")
        parser.add_argument(
            "--by", required=True, metavar="USERNAME",
            help="负责本次导入的领导小组办公室账号（数据的填报人，记入修改记录）",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        by = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if by is None:
            raise CommandError(f"没有名为“{options['by']}”的有效账号。")
        try:
            count = observations_import_history(path=path, by=by,
                                                approve=bool(options["approve"]))
        except PermissionDenied as error:
            raise CommandError(f"“{by.username}”不能导入数据：{error}") from None
        except HistoryImportError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            count = len(error.errors)
            raise CommandError(f"导入失败：共 {count} 处错误，未写入任何数据。") from None
        state = "已审核" if options["approve"] else "待审核"
        self.stdout.write(f"已导入 {count} 条数据（{state}）。")
