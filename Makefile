# Two commands for a new machine: `make run` (server with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

# Test runs use production-like settings (DEBUG off) with a throwaway key and no HTTPS redirect.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=insecure-test-only-key-0123456789abcdefghijklmnop DJANGO_SECURE_SSL_REDIRECT=0
RUN_ENV := DJANGO_DEBUG=1
# `make run` needs no broker: notifications go out in-process, the periodic ones from a thread.
SERVE_ENV := $(RUN_ENV) NOTIFY_INPROCESS_SCHEDULER=1
# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

.PHONY: venv run test test-fast lint format check migrate seed frontend-check

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

migrate: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(RUN_ENV) $(PY) manage.py seed_demo

run: seed
	$(SERVE_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The task queue for real (notifications/): a Celery worker with its scheduler on the broker at
# CELERY_BROKER_URL (default REDIS_URL), e.g. `REDIS_URL=redis://127.0.0.1:6379/0 make worker`.
.PHONY: worker
worker: venv
	$(RUN_ENV) $(VENV)/bin/celery -A healthcare worker --beat -l info

test: venv
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while developing: everything but the browser, server-process and slow tests
# (markers in pytest.ini). `make test` stays the full suite, as CI runs it.
test-fast: venv
	$(TEST_ENV) $(PY) -m pytest -m "not browser and not server and not slow and not npm" $(PYTEST_ARGS)

# The API as a front end sees it (frontend-check/, needs Node.js and npm): Redocly's lint of the
# schema, and a strict TypeScript client generated from it, compiled and run against the API.
frontend-check: venv
	cd frontend-check && npm ci --no-audit --no-fund
	$(TEST_ENV) $(PY) -m pytest -m npm $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: venv
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# Production-style serving: PostgreSQL from DATABASE_URL, DEBUG off (the default) and a real
# DJANGO_SECRET_KEY from the environment (settings refuse to start without one); see SECURITY.md.
.PHONY: serve
serve: venv
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
		*) echo "make serve needs DATABASE_URL=postgresql://user@host:5432/db" >&2; exit 1;; esac
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

# Benchmark (bench/run.py, issue 6): PostgreSQL at 127.0.0.1 (BENCH_PG_URL), wrk installed if missing.
.PHONY: bench bench-small
bench: venv
	$(PY) bench/run.py --scale 1 --compare-scale 0.01 --profile auto --command-label "make bench"

bench-small: venv
	$(PY) bench/run.py --scale 0.01 --duration 3 --warmup 1 --out bench/data/results-small --command-label "make bench-small"

# Fuzzing (fuzz/run.py, issue 5): schemathesis against a seeded throwaway server, every operation,
# anonymous and as patient, doctor and admin; PostgreSQL `healthcare_fuzz` when DATABASE_URL is one.
.PHONY: fuzz
fuzz: venv
	$(PY) fuzz/run.py

# Scale-out (docs/deploy.md): HAProxy, two gunicorn nodes, PgBouncer, a PostgreSQL 15 primary and
# a streaming replica, the machine's Redis (db 10), all on this machine (ops/cluster/cluster.sh).
CLUSTER := CLUSTER_PYTHON=$(abspath $(PY)) bash ops/cluster/cluster.sh
# The drill loads the cluster from one address: throttles raised so it measures the stack, not them.
DRILL_ENV := THROTTLE_ANON=100000/min THROTTLE_USER=100000/min THROTTLE_LOGIN_IP=1000/min \
	THROTTLE_REGISTER=1000/min THROTTLE_BOOK=100000/min
.PHONY: cluster-up cluster-down cluster-status cluster-drill cluster-load cluster-acceptance
cluster-up: venv
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

cluster-status:
	$(CLUSTER) status

# Starts a fresh cluster, runs the `cluster` tests (race, node kill, replica stop, read-your-writes,
# the mixed load's replica share, a smoke of the main flows) against it, and stops it.
cluster-drill: venv
	$(CLUSTER) down
	$(DRILL_ENV) $(CLUSTER) up
	status=0; $(TEST_ENV) CLUSTER_PYTHON=$(abspath $(PY)) CLUSTER_URL=http://127.0.0.1:$${CLUSTER_PORT:-8080} \
		$(PY) -m pytest -m cluster -s \
		-p no:cacheprovider ops/cluster $(PYTEST_ARGS) || status=$$?; \
		$(CLUSTER) down; exit $$status

# The replica's share of reads under a mixed load through the balancer (a running cluster).
cluster-load: venv
	$(TEST_ENV) CLUSTER_PYTHON=$(abspath $(PY)) $(PY) -m ops.cluster.load $(LOAD_ARGS)

# The contract's acceptance through the balancer (issue 16): a fresh cluster with every throttle
# raised as `make fuzz` raises them (the fuzz's callers share one address) and tokens that outlive
# the run, the whole fuzz pass (fuzz/run.py: every operation, anonymous, patient, doctor, admin)
# against http://127.0.0.1:8080 with the demo data seeded on the primary (25432) directly, then
# down. `make cluster-up` with $(ACCEPTANCE_ENV) and `FUZZ_BASE_URL=... make fuzz` do the same by hand.
ACCEPTANCE_ENV := THROTTLE_ANON=100000/min THROTTLE_USER=100000/min THROTTLE_BOOK=100000/min \
	THROTTLE_LOGIN_NUMBER=100000/min THROTTLE_LOGIN_IP=100000/min THROTTLE_REGISTER=100000/min \
	JWT_ACCESS_MINUTES=120
CLUSTER_STATE := $${CLUSTER_STATE_DIR:-$${TMPDIR:-/tmp}/healthcare-cluster}
# Each group of callers (anonymous+patient+doctor side by side, then admin) at most this long, with
# 10 generated cases per operation (make fuzz: 20) over the v1.1 API's ~70 operations: the whole
# target stays under 9 minutes (about 30 s up and down), about 3 when the machine is not shared.
ACCEPTANCE_RUN_SECONDS ?= 240
ACCEPTANCE_MAX_EXAMPLES ?= 10
cluster-acceptance: venv
	$(CLUSTER) down
	$(ACCEPTANCE_ENV) $(CLUSTER) up
	status=0; FUZZ_BASE_URL=http://127.0.0.1:$${CLUSTER_PORT:-8080} \
		FUZZ_SEED_DATABASE_URL=postgresql://healthcare@127.0.0.1:$${CLUSTER_PRIMARY_PORT:-25432}/healthcare \
		FUZZ_SERVER_LOGS="$(CLUSTER_STATE)/logs/node*.log" FUZZ_OUT=$(abspath test-artifacts/cluster-acceptance) \
		FUZZ_RUN_SECONDS=$(ACCEPTANCE_RUN_SECONDS) FUZZ_MAX_EXAMPLES=$(ACCEPTANCE_MAX_EXAMPLES) \
		$(PY) fuzz/run.py || status=$$?; \
		$(CLUSTER) down; exit $$status
