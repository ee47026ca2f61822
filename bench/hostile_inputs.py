"""Hostile inputs schemathesis does not generate, sent to every API operation (issue 12).

The penetration test found 500s that 5,995 schema-driven cases missed, because the fuzzer
keeps to the schema's shapes: extreme ``updated_since`` instants (row 5), JSON nested 100,000
deep (row 6), text far over the documented length and a body over the upload limit (rows 12
and 15). This sends those to every operation of the live schema and fails on any 5xx, any
non-JSON error from /api/, and any oversized text that was accepted.

    python bench/hostile_inputs.py http://127.0.0.1:8765 TOKEN    (run by bench/fuzz_api.sh)

Standard library only: it runs from the project's virtualenv next to the server.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

EXTREME_SINCE = [
    "0001-01-01", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-12-31",
    "10000-01-01", "-0001-01-01", "2025-13-45", "1e309",
]
NESTED = ("[" * 100_000 + "]" * 100_000).encode()
LONG_TEXT = "证" * 2_001  # over every maxLength the write API documents
HUGE_BODY = b'{"evidence": "' + b"x" * (11 * 1024 * 1024) + b'"}'


def call(base: str, method: str, path: str, token: str, body: bytes | None = None,
         content_type: str = "application/json") -> tuple[int, str, bytes]:
    request = urllib.request.Request(base + path, data=body, method=method)
    request.add_header("Authorization", f"Token {token}")
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def main(base: str, token: str) -> int:
    schema = json.loads(call(base, "GET", "/api/schema/?format=json", token)[2])
    failures: list[str] = []
    cases = 0

    def check(label: str, answer: tuple[int, str, bytes], *, refused: bool = False) -> None:
        nonlocal cases
        cases += 1
        status, content_type, _body = answer
        if status >= 500:
            failures.append(f"{label}: {status}")
        elif status >= 400 and not content_type.startswith("application/json"):
            failures.append(f"{label}: {status} {content_type} (not the JSON error shape)")
        elif refused and status < 400:
            failures.append(f"{label}: accepted ({status})")

    for raw_path, operations in schema["paths"].items():
        path = raw_path.replace("{id}", "1").replace("{code}", "x")
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            if method == "get" and "updated_since" in names:
                for moment in EXTREME_SINCE:
                    query = urllib.parse.quote(moment)
                    check(f"GET {path}?updated_since={moment}",
                          call(base, "GET", f"{path}?updated_since={query}", token))
            if method in ("post", "put", "patch"):
                label = f"{method.upper()} {path}"
                check(f"{label} nested JSON", call(base, method.upper(), path, token, NESTED))
                check(f"{label} 11 MB body", call(base, method.upper(), path, token, HUGE_BODY))
                content = operation.get("requestBody", {}).get("content", {})
                schema_ref = content.get("application/json", {}).get("schema", {})
                properties = _properties(schema, schema_ref)
                for name in properties:
                    if properties[name].get("maxLength"):
                        body = json.dumps({"indicator": "x", "year": 2024, "value": 1,
                                           name: LONG_TEXT}).encode()
                        check(f"{label} {name} of {len(LONG_TEXT)} characters",
                              call(base, method.upper(), path, token, body), refused=True)
    check("GET /api/v1/no-such-path/", call(base, "GET", "/api/v1/no-such-path/", token))
    for failure in failures:
        print("FAIL", failure)
    print(f"hostile inputs: {cases} cases, {len(failures)} failures")
    return 1 if failures else 0


def _properties(schema: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in ref:
        name = ref["$ref"].rsplit("/", 1)[-1]
        ref = schema.get("components", {}).get("schemas", {}).get(name, {})
    return dict(ref.get("properties", {}))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), sys.argv[2]))
