# The two set-up-and-run commands of the README:
#   make demo   provision the example plan into the local AWS sandbox
#   make test   run the whole test suite
#   make fuzz-e2e N=100   provision N generated plans end to end
# Each creates .venv/, installs the dependencies and obtains the Pulumi engine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PLAN ?= examples/saas-startup.yaml

.PHONY: demo test fuzz-e2e venv engine bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

venv: $(BIN)/.installed

engine: venv
	$(BIN)/provision engine install

# The examples' vendors read their ExternalIds from these variables; the sandbox takes
# any value, so the demo supplies placeholders unless you set them yourself.
DEMO_IDS := NIGHTWATCH_EXTERNAL_ID CLAIMSCO_EXTERNAL_ID SENTRY_SOC_EXTERNAL_ID
demo_env = $(foreach v,$(DEMO_IDS),$(v)=$${$(v):-sandbox-demo-id})

demo: engine
	$(BIN)/provision sandbox start
	$(demo_env) $(BIN)/provision apply $(PLAN) --yes
	$(BIN)/provision status $(PLAN)

test: engine
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Generated plans through the engine: N plans from seed SEED on (tests/generated/).
N ?= 10
SEED ?= 1000
fuzz-e2e: engine
	PROVISION_FUZZ_N=$(N) PROVISION_FUZZ_SEED=$(SEED) $(BIN)/python -m pytest tests/generated/test_generated_e2e.py -k test_fuzz_plan_provisions $(PYTEST_ARGS)

bench: engine
	$(BIN)/python bench/run.py

clean:
	-test -x $(BIN)/provision && $(BIN)/provision sandbox stop
	rm -rf $(VENV) .provision
