#!/usr/bin/env bash
# Fuzz every operation of the API with schemathesis against a live local server (issue 6/9):
# no 5xx, no response that breaks the OpenAPI schema. Writes are authenticated with a
# department token, so POST/PATCH/submit are exercised with valid credentials too.
#
#   bash bench/fuzz_api.sh [MAX_EXAMPLES]        (default 50 per operation)
#
# schemathesis is a tool, not a dependency of the project: it is installed, pinned, into its
# own virtual environment (.venv-fuzz). The server runs on a throwaway SQLite copy of the
# seed data, so nothing the fuzzer writes reaches a real database.
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-50}
port=${FUZZ_PORT:-8765}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

[ -x .venv-fuzz/bin/schemathesis ] || {
  python3.11 -m venv .venv-fuzz && .venv-fuzz/bin/pip install -q "schemathesis==4.32.5"; }

export DATABASE_URL="sqlite:///$work/fuzz.sqlite3" MEDIA_ROOT="$work/media"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py loaddata -v0 seed_targets
.venv/bin/python manage.py compute_progress --all >/dev/null
token=$(.venv/bin/python manage.py api_token create --name fuzz --kind department \
          --department 320707:区市场监管局 | grep -o 'qt_[A-Za-z0-9_-]*' | head -1)
.venv/bin/python manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/schema/" >/dev/null && break; sleep 0.2; done

.venv-fuzz/bin/schemathesis run "http://127.0.0.1:$port/api/schema/" \
  --url "http://127.0.0.1:$port" -H "Authorization: Token $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$examples" --workers 1

# Bad input outside the OpenAPI schema (issue 12 row 1): hostile workbooks on the Excel upload
# page — a 300,000-row sheet without r= attributes, a declared 4 GB member, 5,000 columns, a
# forged dimension, 600 zip members, truncated and non-zip files (tests/hostile_workbooks.py).
# Each must be refused quickly with a Chinese reason and a failed job, never a 500.
.venv/bin/python -m pytest -q -p no:cacheprovider tests/indicators/test_excel_limits.py
# What the schema-driven fuzzer does not generate (issue 12, rows 5, 6, 12, 15): extreme
# updated_since, 100,000-deep JSON, over-long text, an 11 MB body, an unknown API path.
.venv/bin/python bench/hostile_inputs.py "http://127.0.0.1:$port" "$token"
