#!/usr/bin/env bash
# System packages the tests and the PDF need, from Debian's archive: a CJK font for
# WeasyPrint (fonts-noto-cjk), HarfBuzz's subsetter (libharfbuzz-subset0: without it WeasyPrint
# falls back to fontTools, which stamps each font subset with the current time, so the same
# report renders to different bytes a second later), poppler-utils (pdftotext/pdffonts/pdftoppm in the PDF tests)
# and chromium with chromium-driver (the end-to-end tests). Installs only what is missing, and only as root;
# otherwise it says what to install and carries on (those tests then report it).
set -u
missing=()
fc-list :lang=zh 2>/dev/null | grep -qi "noto" || missing+=(fonts-noto-cjk)
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p; } | grep -q "libharfbuzz-subset.so.0" \
  || missing+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "warning: please install these Debian packages: ${missing[*]}" >&2
fi
exit 0
