# One image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DJANGO_DEBUG=False
ENV MPLCONFIGDIR=/tmp/matplotlib

# WeasyPrint's libraries and the CJK fonts the PDF embeds (never fetched at run time): the
# GB/T 9704 Fandol 仿宋/宋/黑/楷 taken out of Debian's texlive-lang-chinese (only the six .otf,
# not TeX Live; see scripts/system-deps.sh and docs/report.md), Noto CJK as the fallback.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk poppler-utils \
 && mkdir -p /tmp/fandol /usr/local/share/fonts/fandol && cd /tmp/fandol \
 && apt-get download texlive-lang-chinese && dpkg-deb -x texlive-lang-chinese_*.deb x \
 && cp x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol[FSHK]*-*.otf \
       x/usr/share/doc/texlive-doc/fonts/fandol/COPYING.gz /usr/local/share/fonts/fandol/ \
 && cd / && rm -rf /tmp/fandol && fc-cache -f \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY qualitytrack ./qualitytrack
COPY web ./web
COPY reports ./reports
COPY targets ./targets
COPY indicators ./indicators
COPY feed ./feed
COPY accounts ./accounts
COPY core ./core
RUN pip install -c requirements.lock .
COPY . .
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --home /app qualitytrack && mkdir -p /app/media && chown qualitytrack /app/media
USER qualitytrack
EXPOSE 8000
CMD ["gunicorn", "qualitytrack.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
