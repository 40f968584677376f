# rdd: every target that needs the environment depends on $(STAMP), so a fresh clone needs no other command.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_LOG := .cache/nbdev_test.log
FLAGS ?=

PRESET ?= tiny

.PHONY: install test lab clean sync-check teacher

install: $(STAMP)

$(STAMP): setup.py settings.ini
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

# Notebooks must be clean and the library in sync with them: nbdev_clean and nbdev_export may not change
# any tracked file. Then run every notebook's tests and print "N passed, M failed" (notebooks).
# Notebooks run two at a time, one thread each: torch threads competing for 2 cores slow steps 40x.
sync-check: $(STAMP)
	@before=$$(git status --porcelain -- nbs rdd); \
	$(BIN)/nbdev_clean && $(BIN)/nbdev_export || exit 1; \
	after=$$(git status --porcelain -- nbs rdd); \
	if [ "$$before" != "$$after" ]; then \
	  echo "nbdev_clean/nbdev_export changed tracked files: notebooks unclean or rdd/ out of sync:"; \
	  git status --porcelain -- nbs rdd; exit 1; fi

test: sync-check
	@mkdir -p $(dir $(TEST_LOG))
	@set -o pipefail; OMP_NUM_THREADS=1 $(BIN)/nbdev_test --do_print --timing --flags "$(FLAGS)" 2>&1 | tee $(TEST_LOG); rc=$$?; \
	total=$$(grep -c -- '^- Completed ' $(TEST_LOG)); \
	failed=$$(sed -n '/Tests Failed On The Following Notebooks/,$$p' $(TEST_LOG) | grep -c $$'^\t'); \
	echo "$$((total - failed)) passed, $$failed failed"; \
	if [ $$total -eq 0 ]; then echo "no notebook was tested"; exit 1; fi; exit $$rc

# Train (or resume) the teacher of a preset on the bundled CIFAR-10 copy.
teacher: $(STAMP)
	$(BIN)/rdd_train_teacher --preset $(PRESET)

lab: $(STAMP)
	$(BIN)/jupyter lab nbs/

clean:
	rm -rf $(VENV) .cache _proc _docs rdd.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +
