# Two commands: `make run` (the app with the demo county) and `make test` (everything CI checks).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# A throwaway key, only so that `check --deploy` can load the production settings.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=config.settings.production ALLOWED_HOSTS=fire.example.gov.cn \
	SECRET_KEY=deploy-check-$(shell $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')

.PHONY: run test smoke lint lock deps dev-deps services demo assets clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installed from the locks, every package pinned with its hashes (`make lock` writes them).
$(VENV)/.deps: requirements.txt $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Re-lock after editing requirements.in or requirements-dev.in: the runtime first, then development
# at the runtime's versions. Resolved against the public index only (no local wheel mirrors).
lock: dev-deps
	$(BIN)/pip install -q pip-tools==7.7.0
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile -q --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile -q --generate-hashes --allow-unsafe \
		--strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

# Front-end libraries from npm, copied into static/vendor (git-ignored); served locally, never from a CDN.
static/vendor/echarts.min.js: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && mkdir -p static/vendor && \
		cp node_modules/echarts/dist/echarts.min.js static/vendor/; \
	else \
		echo "npm not found: charts are off (tables still work). Install Node.js/npm for charts."; \
	fi

assets: static/vendor/echarts.min.js

# Development runs (honcho starts web, worker and beat together) use the development environment.
demo: dev-deps assets
	@# PDF reports need Pango and a Chinese font; without them the printable page still works.
	-bin/ensure-pdf-libs
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_demo_admin
	$(BIN)/python manage.py setup_schedules
	@# Today's reminders at once, not only at the 07:30 beat run: a new user's inbox is not empty.
	$(BIN)/python manage.py run_reminders

run: demo
	@echo "firebrigade: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

services:
	bin/ensure-services
	bin/ensure-chromium
	bin/ensure-pdf-libs
	bin/ensure-gettext
	bin/ensure-caddy

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Layers and doors between apps (pyproject.toml, [tool.importlinter]).
	$(BIN)/lint-imports

test: dev-deps assets services lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_CHECK_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/pytest
	$(MAKE) smoke

# Production on this machine, as docker-compose.yml runs it (bin/serve, the Caddy proxy, production
# settings), checked over HTTPS end to end; everything it starts is stopped (deploy/smoke.py).
smoke: dev-deps assets services
	$(BIN)/python deploy/smoke.py

clean:
	rm -rf $(VENV) var
