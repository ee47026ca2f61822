"""Bounded menus for the dashboards' filter form (region, plan, department).

At national scale the form would list every region, plan and department in scope (3,200
each for the national office): three ``<select>``s of 3,200 options on every page, most of
the page's CPU time. A menu here lists at most ``MENU_LIMIT`` options; beyond that it lists
those of the chosen region when one is chosen (plans and departments), then the first ones in
order, always the chosen one, and ends with a disabled note saying the list is cut
(docs/scale.md §8). What the form *accepts* is unchanged: any object of the field's queryset
(the user's scope), whether or not the menu shows it.

``MenuSelect`` renders the same HTML as Django's ``Select`` in Python rather than one
template per option.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

#: Options a filter menu lists at most (the seed's 115 departments all fit).
MENU_LIMIT = 200
#: The value of the disabled last option of a cut menu.
MORE = "more"


class _MenuIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        field: MenuChoiceField = self.field  # type: ignore[assignment]
        if field.empty_label is not None:
            yield ("", field.empty_label)
        shown = list(field.menu_queryset()[: MENU_LIMIT + 1])
        if len(shown) > MENU_LIMIT and field.narrowed is not None:
            shown = list(field.narrowed[: MENU_LIMIT + 1])
        cut = len(shown) > MENU_LIMIT
        shown = shown[:MENU_LIMIT]
        chosen = field.chosen
        if chosen is not None and all(obj.pk != chosen.pk for obj in shown):
            shown.insert(0, chosen)
        for obj in shown:
            yield self.choice(obj)
        if cut:
            yield (MORE, _("……（仅列出前 %(n)d 项，请先选择地区或从列表中点选）")
                   % {"n": MENU_LIMIT})


class MenuChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` whose menu is bounded (module docstring)."""

    iterator = _MenuIterator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MenuSelect)
        super().__init__(*args, **kwargs)
        #: the options when the whole scope does not fit (e.g. the chosen region's plans)
        self.narrowed: QuerySet | None = None
        #: the validated choice, listed even when the menu does not reach it
        self.chosen: Model | None = None

    def menu_queryset(self) -> QuerySet:
        return self.queryset  # type: ignore[return-value]


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's ``attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True
                     else f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


class MenuSelect(forms.Select):
    """``forms.Select`` with the HTML of Django's templates built in Python (one string per
    option instead of one template rendering per option)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) == MORE:
            option["attrs"]["disabled"] = True
        return option

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                out.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                           f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}'
                           "</option>\n")
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return mark_safe("".join(out))  # every part escaped above
