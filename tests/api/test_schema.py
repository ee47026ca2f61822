"""The OpenAPI schema and the offline Swagger UI."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_documents_the_feed_and_the_write_api(client):
    response = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    for path in ["/api/v1/targets/", "/api/v1/progress/", "/api/v1/observations/{id}/submit/"]:
        assert path in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/targets/"]["get"]["parameters"]}
    assert {"region", "plan", "indicator", "department", "kind", "updated_since",
            "page_size"} <= parameters
    assert "post" in schema["paths"]["/api/v1/observations/"]
    assert "ApiToken" in schema["components"]["securitySchemes"]


def test_docs_page_loads_only_local_assets(client):
    response = client.get(reverse("swagger-ui"))

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(not re.match(r"^(https?:)?//", asset) for asset in assets), assets
    assert "cdn." not in html


def test_docs_assets_are_really_served_from_the_sidecar():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
