"""Serializer helpers shared by the API's apps.

``FieldsBuiltOnce``: a ModelSerializer maps its model's fields to serializer fields (choices,
bounds, labels, validators) every time one is instantiated. The write endpoints instantiate one
per answer, and under the quarter-end rush that mapping was about 1 ms of CPU per request
(docs/scale.md, "Submissions under the rush"). The mixin maps them once per class and gives
each instance a deep copy, the same copy DRF makes of declared fields, so every instance still
binds fields of its own.
"""

from __future__ import annotations

import copy
from typing import Any


class FieldsBuiltOnce:
    """Mix into a ``ModelSerializer`` whose fields do not depend on the instance or context
    (no ``get_fields`` override reading ``self``): the first instance builds them."""

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:  # on this very class: a subclass builds its own
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
