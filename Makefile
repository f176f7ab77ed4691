# The two set-up-and-run commands of the README:
#   make demo   provision the example plan into the local AWS sandbox
#   make test   run the whole test suite
# Each creates .venv/, installs the dependencies and obtains the Pulumi engine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLAN ?= examples/saas-startup.yaml

.PHONY: demo test venv engine bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
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

test: engine
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: engine
	$(BIN)/python bench/run.py

clean:
	-test -x $(BIN)/provision && $(BIN)/provision sandbox stop
	rm -rf $(VENV) .provision
