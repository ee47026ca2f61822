#!/usr/bin/env bash
# System packages the tests and the PDF need, from Debian's archive: a CJK font for
# WeasyPrint (fonts-noto-cjk), HarfBuzz's subsetter (libharfbuzz-subset0: without it WeasyPrint
# falls back to fontTools, which stamps each font subset with the current time, so the same
# report renders to different bytes a second later), poppler-utils (pdftotext/pdffonts/pdftoppm in the PDF tests)
# and chromium with chromium-driver (the end-to-end tests). Installs only what is missing, and only as root;
# otherwise it says what to install and carries on (those tests then report it).
#
# The report's GB/T 9704 fonts (docs/report.md): Fandol 仿宋, 宋, 黑 and 楷, free fonts (GPL with
# the font exception) shipped by Debian only inside texlive-lang-chinese. Installing that package
# would pull TeX Live (~250 MB); instead the package is fetched with `apt-get download` and only
# its six Fandol .otf files (~35 MB) are copied to /usr/local/share/fonts/fandol.
set -u
FANDOL_DIR=/usr/local/share/fonts/fandol
install_fandol() {
  local tmp
  tmp=$(mktemp -d) && chmod 755 "$tmp" || return 1
  (cd "$tmp" && apt-get download -qq texlive-lang-chinese >/dev/null 2>&1 \
    && dpkg-deb -x texlive-lang-chinese_*.deb extracted) || { rm -rf "$tmp"; return 1; }
  mkdir -p "$FANDOL_DIR"
  cp "$tmp"/extracted/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol{Fang,Song,Hei,Kai}-*.otf \
    "$FANDOL_DIR"/
  cp "$tmp"/extracted/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz "$FANDOL_DIR"/ 2>/dev/null
  rm -rf "$tmp"
  fc-cache -f "$FANDOL_DIR" >/dev/null 2>&1
  echo "installed the Fandol fonts into $FANDOL_DIR"
}
if ! fc-list 2>/dev/null | grep -q "FandolFang"; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    install_fandol || echo "warning: could not install the Fandol fonts; the PDF falls back to Noto CJK and says so" >&2
  else
    echo "warning: the report's Fandol fonts are missing; as root run scripts/system-deps.sh" >&2
  fi
fi
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
