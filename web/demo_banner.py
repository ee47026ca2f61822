"""The 演示数据 banner: every page says so while demo figures feed the dashboards.

docs/monitoring.md "Demo history". The check is one EXISTS query, made only when a template
asks (``demo_data`` is lazy).
"""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from indicators.demo import demo_data_present


def demo_data(request: HttpRequest) -> dict[str, object]:
    return {"demo_data": SimpleLazyObject(lambda: demo_data_present())}
