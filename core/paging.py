"""``PagedSequence``: a lazy sequence that Django's ``Paginator`` reads one page at a time.

A list page at national scale must not load every row to show 20 of them. ``Paginator`` only
asks a sequence for its length and for one slice; a subclass answers both from the database
(``total`` once, ``page`` per slice), so the page costs a count and the page's own rows.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class PagedSequence(Sequence[T]):
    """Subclasses give ``total()`` (called once) and ``page(slice)``."""

    _count: int | None = None

    @abstractmethod
    def total(self) -> int:
        """How many items there are."""

    @abstractmethod
    def page(self, index: slice) -> list[T]:
        """The items of one slice."""

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.total()
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, int):
            return self.page(slice(index, index + 1))[0]
        return self.page(index)
