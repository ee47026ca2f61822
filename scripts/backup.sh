#!/usr/bin/env bash
# Back up QualityTrack: the PostgreSQL database (pg_dump, custom format) and the files under
# MEDIA_ROOT (uploads, generated reports), into one timestamped folder with a SHA-256 manifest.
#
#   DATABASE_URL=postgres://user:pass@host:5432/qualitytrack MEDIA_ROOT=/srv/qualitytrack/media \
#       scripts/backup.sh [BACKUP_ROOT]
#
# BACKUP_ROOT: $1, else $BACKUP_DIR, else ./backups. The folder is BACKUP_ROOT/qualitytrack-
# <UTC time>; it is written as <name>.partial and renamed only once complete and verified, so a
# folder without that suffix is always whole. PG_BINDIR picks the pg_dump that matches the
# server's major version (e.g. /usr/lib/postgresql/15/bin). The last line printed is the
# folder. Exit status is non-zero on any failure; the password is never printed.
set -euo pipefail
umask 077

: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://user@host:5432/qualitytrack}"
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-${BACKUP_DIR:-backups}}
media=${MEDIA_ROOT:-$here/media}
bin=${PG_BINDIR:+$PG_BINDIR/}
# libpq accepts postgres:// and postgresql:// only; django-environ also knows pgsql:// etc.
url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^[a-z0-9+]+://#postgresql://#')

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dest="$root/qualitytrack-$stamp"
work="$dest.partial"
[ -e "$dest" ] && { echo "backup: $dest already exists" >&2; exit 1; }
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

started=$(date +%s)
"${bin}pg_dump" --format=custom --compress=6 --file="$work/database.dump" "$url"
"${bin}pg_restore" --list "$work/database.dump" >/dev/null  # readable from end to end

if [ -d "$media" ]; then
  tar -C "$media" -czf "$work/media.tar.gz" .
else
  echo "backup: no MEDIA_ROOT at $media; archiving an empty folder" >&2
  tar -czf "$work/media.tar.gz" -T /dev/null
fi

{
  echo "created_utc=$stamp"
  echo "database=$(printf '%s' "$url" | sed -E 's#^[^/]*//[^/]*/##; s#\?.*$##')"
  echo "server_version=$("${bin}psql" "$url" -AtXc 'SHOW server_version' 2>/dev/null || echo unknown)"
  echo "pg_dump=$("${bin}pg_dump" --version)"
  echo "media_root=$media"
  echo "media_files=$(tar -tzf "$work/media.tar.gz" | grep -vc '/$' || true)"
  echo "git_commit=$(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)"
} > "$work/meta.txt"

(cd "$work" && sha256sum database.dump media.tar.gz meta.txt > SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
mv "$work" "$dest"
trap - EXIT
echo "backup: database $(du -h "$dest/database.dump" | cut -f1), media $(du -h "$dest/media.tar.gz" | cut -f1), $(( $(date +%s) - started )) s" >&2
echo "$dest"
