"""Password rule of MLPS 2.0 level 3: at least three of four character classes."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits)

    def validate(self, password: str, user: object = None) -> None:
        used = sum(any(ch in chars for ch in password) for chars in self.classes)
        used += any(not ch.isalnum() for ch in password)
        if used < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes"
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
