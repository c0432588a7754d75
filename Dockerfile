# One image for web, worker, worker-imports, beat and the one-off init (bin/serve says what each runs).

# 1. Front-end libraries, from package-lock.json exactly (charts: ECharts), never from a CDN.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor \
 && cp node_modules/echarts/dist/echarts.min.js static/vendor/

# 2. Python packages, from the lock with hashes, built into a virtual environment to copy whole.
FROM python:3.11-slim-bookworm AS python-deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.txt .
RUN /venv/bin/pip install --require-hashes -r requirements.txt

# 3. The runtime: Pango and a CJK font for the 通报 PDF, pg_dump/psql for backup and restore, no
#    compilers; runs as an unprivileged user.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    FIREBRIGADE_VAR_DIR=/app/var
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-noto-cjk \
      postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system firebrigade \
 && useradd --system --gid firebrigade --home /app --shell /usr/sbin/nologin firebrigade
WORKDIR /app
COPY --from=python-deps /venv /venv
COPY . .
COPY --from=assets /build/static/vendor/ static/vendor/
# Static files collected and hashed at build time (manifest storage; the compiled translations are
# in the repository). The key and host are placeholders only so that the production settings load.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && mkdir -p var/media var/backups \
 && chown -R firebrigade:firebrigade var
USER firebrigade
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["bin/serve", "health", "web"]
CMD ["bin/serve", "web"]
