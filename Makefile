# The two set-up-and-run commands of the README:
#   make demo   provision the example plan into the local AWS sandbox
#   make test   run the whole test suite
#   make fuzz-e2e N=100   provision N generated plans end to end
# Each creates .venv/, installs the dependencies and obtains the Pulumi engine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLAN ?= examples/saas-startup.yaml

.PHONY: demo test unit fuzz-e2e venv engine bench lock clean

# Dependencies come from the lock, hash-checked; the project itself is installed in a
# second step, since hash-checking mode refuses an editable install.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(BIN)/.installed

engine: venv
	$(BIN)/provision engine install

# The sandbox takes any ExternalId, so the demo supplies placeholders for the plan's
# references: `sandbox seed` puts its ssm: and secretsmanager: ones in the sandbox,
# and its env: variables (read from the plan) get one unless you set them yourself.
DEMO_IDS = $(shell sed -n 's/.*externalIdRef:[ "]*env:\([A-Za-z0-9_]*\).*/\1/p' $(PLAN))
demo_env = $(foreach v,$(DEMO_IDS),$(v)=$${$(v):-sandbox-demo-id})

demo: engine
	$(BIN)/provision sandbox start
	$(BIN)/provision sandbox seed $(PLAN)
	$(demo_env) $(BIN)/provision apply $(PLAN) --yes
	$(BIN)/provision status $(PLAN)

# Two workers (one a core), each with its own sandbox; a module's e2e tests stay on one worker
# unless it sets SPREAD_ACROSS_WORKERS (tests/conftest.py). The report ends with the slowest tests.
TEST_WORKERS ?= 2
# Bytecode caches on for test runs, whatever the environment says: without them each worker
# compiles and assertion-rewrites the whole tree again on every run (8-10 s of make unit).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest
test: engine
	$(PYTEST) -n $(TEST_WORKERS) --dist loadgroup --durations=15 $(PYTEST_ARGS)

# The unit tests alone: no engine, no sandbox, no groups to keep together (`--dist load`
# batches tests to the workers with less traffic than loadgroup's one test at a time).
unit: venv
	$(PYTEST) -n $(TEST_WORKERS) --dist load -m "not e2e" $(PYTEST_ARGS)

# Refresh requirements.lock after changing the dependencies in pyproject.toml.
PIP_TOOLS := pip-tools==7.6.2
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet $(PIP_TOOLS)
	$(VENV)-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps --all-extras \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	rm -rf $(VENV)-lock
# Generated plans through the engine: N plans from seed SEED on (tests/generated/).
N ?= 10
SEED ?= 1000
fuzz-e2e: engine
	PROVISION_FUZZ_N=$(N) PROVISION_FUZZ_SEED=$(SEED) $(PYTEST) tests/generated/test_generated_e2e.py -k test_fuzz_plan_provisions $(PYTEST_ARGS)

bench: engine
	$(BIN)/python bench/run.py

clean:
	-test -x $(BIN)/provision && $(BIN)/provision sandbox stop
	rm -rf $(VENV) $(VENV)-lock .provision
