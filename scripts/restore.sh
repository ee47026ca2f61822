#!/usr/bin/env bash
# Restore a QualityTrack backup made by scripts/backup.sh into a FRESH database.
#
#   DATABASE_URL=postgres://user:pass@host:5432/qualitytrack_restored \
#   MEDIA_ROOT=/srv/qualitytrack/media scripts/restore.sh BACKUP_FOLDER
#
# 1. checks every file against the folder's SHA256SUMS (nothing is touched if one differs);
# 2. creates the database of DATABASE_URL if it does not exist (connecting to the server's
#    "postgres" database), and refuses one that already holds tables;
# 3. pg_restore --exit-on-error --no-owner (objects belong to the restoring user; grants are
#    kept, so the roles they name must exist: create them first, or set
#    RESTORE_NO_PRIVILEGES=1);
# 4. unpacks the media archive into MEDIA_ROOT, which must be empty or absent (set
#    RESTORE_MEDIA_OVERWRITE=1 to unpack over existing files).
# Afterwards run `manage.py migrate` (a no-op for a backup of the same version) and
# `manage.py check`. PG_BINDIR picks the client binaries. Non-zero exit on any failure.
set -euo pipefail
umask 077

folder=${1:?usage: restore.sh BACKUP_FOLDER}
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
here=$(cd "$(dirname "$0")/.." && pwd)
media=${MEDIA_ROOT:-$here/media}
bin=${PG_BINDIR:+$PG_BINDIR/}
url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^[a-z0-9+]+://#postgresql://#')

[ -f "$folder/SHA256SUMS" ] || { echo "restore: no SHA256SUMS in $folder" >&2; exit 1; }
if ! (cd "$folder" && sha256sum --quiet --strict -c SHA256SUMS); then
  echo "restore: checksum mismatch in $folder: the backup is damaged, nothing restored" >&2
  exit 1
fi

# postgresql://auth@host:port/NAME?query → NAME, and the same URL on the "postgres" database.
if [[ ! "$url" =~ ^([^/]*//[^/]*)/([^?]+)(\?.*)?$ ]]; then
  echo "restore: cannot read the database name from DATABASE_URL" >&2
  exit 1
fi
name=${BASH_REMATCH[2]}
maintenance="${BASH_REMATCH[1]}/postgres${BASH_REMATCH[3]}"
exists=$("${bin}psql" "$maintenance" -AtX -v ON_ERROR_STOP=1 \
  -c "SELECT 1 FROM pg_database WHERE datname = '${name//\'/\'\'}'")
if [ "$exists" != "1" ]; then
  "${bin}psql" "$maintenance" -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${name//\"/\"\"}\""
else
  tables=$("${bin}psql" "$url" -AtX -v ON_ERROR_STOP=1 \
    -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
  if [ "$tables" != "0" ]; then
    echo "restore: database $name already has $tables tables; restore needs a fresh one" >&2
    exit 1
  fi
fi

if [ -d "$media" ] && [ -n "$(ls -A "$media")" ] && [ "${RESTORE_MEDIA_OVERWRITE:-0}" != "1" ]; then
  echo "restore: MEDIA_ROOT $media is not empty (set RESTORE_MEDIA_OVERWRITE=1 to unpack over it)" >&2
  exit 1
fi

started=$(date +%s)
options=(--exit-on-error --no-owner --jobs=2)
[ "${RESTORE_NO_PRIVILEGES:-0}" = "1" ] && options+=(--no-privileges)
"${bin}pg_restore" "${options[@]}" --dbname="$url" "$folder/database.dump"
"${bin}psql" "$url" -qX -c "ANALYZE" >/dev/null

mkdir -p "$media"
tar -C "$media" -xzf "$folder/media.tar.gz"
echo "restore: database $name and media from $folder in $(( $(date +%s) - started )) s" >&2
