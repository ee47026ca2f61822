#!/usr/bin/env bash
# The README's production steps, run as written (issue 12, row 14; docs/reliability.md):
# migrate and collectstatic against $DATABASE_URL, gunicorn with DJANGO_DEBUG=False on a free
# port, the login page fetched (200) with its stylesheet served (200, text/css), gunicorn
# stopped. Without collectstatic every page of a DEBUG=False site is a 500 (the manifest
# storage cannot name the hashed files), which is what this catches. About 20 s.
# Usage: DATABASE_URL=postgres://… bash scripts/production_smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the database to serve}"

export DJANGO_DEBUG=False
export DJANGO_SECRET_KEY="ci-$(date +%s%N)-$RANDOM$RANDOM$RANDOM$RANDOM"
export DJANGO_ALLOWED_HOSTS=127.0.0.1

PY=.venv/bin/python

$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
.venv/bin/gunicorn qualitytrack.wsgi -b "127.0.0.1:$port" --workers 1 --timeout 30 \
  >"$log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"; }
trap stop EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "$base/accounts/login/" && break
  kill -0 "$pid" 2>/dev/null || { echo "FAIL: gunicorn exited"; cat "$log"; exit 1; }
  sleep 0.5
done
page=$(curl -s -w '\n%{http_code}' "$base/accounts/login/")
status=${page##*$'\n'}
[ "$status" = "200" ] || { echo "FAIL: login page answered $status"; cat "$log"; exit 1; }
css=$(printf '%s' "$page" | grep -o 'href="/static/css/qualitytrack[^"]*\.css"' | head -1 | cut -d'"' -f2)
[ -n "$css" ] || { echo "FAIL: no stylesheet link on the login page"; exit 1; }
css_status=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base$css")
case "$css_status" in
  "200 text/css"*) ;;
  *) echo "FAIL: $css answered $css_status"; exit 1 ;;
esac
echo "production steps OK: login page 200, $css 200 (DJANGO_DEBUG=False, gunicorn :$port)"
