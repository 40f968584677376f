# rdd: every target that needs the environment depends on $(STAMP), so a fresh clone needs no other command.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_LOG := .cache/nbdev_test.log
FLAGS ?=

# Experiments: PRESET=tiny|cpu|small|paper; `auto` = small where a GPU is visible, else tiny (and says so).
# RETRAIN=1 ignores the published teacher and basic model of the preset (checkpoints/<preset>/) and trains them.
# PLAN=1 prints every stage the target needs, cached or to compute, with its estimated time here, and stops.
# JOBS=2 computes the independent chains and evaluations two at a time, one thread each (a 2-core machine's best).
PRESET ?= auto
RETRAIN ?= 0
JOBS ?= 1
# HOURS=2.5 stops every job after 2.5 hours, saved where it is (a step, a sampled batch, a scored chunk); run again to resume.
HOURS ?=
# CACHED=1 computes nothing: the tables are written from the models and evaluations there are (rows not there yet are left out).
CACHED ?= 0
REPRODUCE := reproduce-table1 reproduce-table2 reproduce-table3 reproduce-figures reproduce-spread reproduce-fig5 reproduce-evidence reproduce-all

.PHONY: install lint test lab clean sync-check teacher readme publish-runs ci-experiments bench bench-arrangement gpu-wheels gpu-check gpu-check-dry $(REPRODUCE)

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

# pyflakes over the library: no unused import, no undefined name (test-only imports live in the notebooks' test cells).
lint: $(STAMP)
	$(BIN)/python -m pyflakes rdd/

test: sync-check lint
	@mkdir -p $(dir $(TEST_LOG))
	@set -o pipefail; OMP_NUM_THREADS=1 $(BIN)/nbdev_test --do_print --timing --flags "$(FLAGS)" 2>&1 | tee $(TEST_LOG); rc=$$?; \
	total=$$(grep -c -- '^- Completed ' $(TEST_LOG)); \
	failed=$$(sed -n '/Tests Failed On The Following Notebooks/,$$p' $(TEST_LOG) | grep -c $$'^\t'); \
	echo "$$((total - failed)) passed, $$failed failed"; \
	if [ $$total -eq 0 ]; then echo "no notebook was tested"; exit 1; fi; exit $$rc

# The paper's tables and figures: papermill runs nbs/experiments/*.ipynb (executed copies in results/runs/),
# writing results/*.csv and figures/*.png, then the README's results section is regenerated.
$(REPRODUCE): $(STAMP)
	$(BIN)/rdd_reproduce $(@:reproduce-%=%) --preset $(PRESET) --jobs $(JOBS) $(if $(HOURS),--hours $(HOURS)) $(if $(filter 1,$(RETRAIN)),--retrain) $(if $(filter 1,$(PLAN)),--plan) $(if $(filter 1,$(CACHED)),--cached)

# The end of a session on a long run: copy the preset's runs and evaluations to checkpoints/<preset>/ (then commit them);
# a fresh clone's `make reproduce-* PRESET=...` restores them first and resumes.
publish-runs: $(STAMP)
	$(BIN)/rdd_reproduce all --preset $(or $(filter-out auto,$(PRESET)),cpu) --publish

# What CI runs besides the tests: Tables 1 and 3 end to end at the tiny preset (each notebook checks its rows).
ci-experiments: $(STAMP)
	$(BIN)/rdd_reproduce table1 --preset tiny
	$(BIN)/rdd_reproduce table3 --preset tiny

# Benchmarks (nbs/09_benchmarks, its slow cells): results/bench_*.csv, figures/bench-small.png. Needs an idle machine.
bench: $(STAMP)
	$(BIN)/nbdev_test --path nbs/09_benchmarks.ipynb --flags slow --do_print

readme: $(STAMP)
	$(BIN)/rdd_readme

# Train (or resume) the teacher of a preset on the bundled CIFAR-10 copy (tiny unless PRESET says otherwise).
teacher: $(STAMP)
	$(BIN)/rdd_train_teacher --preset $(or $(filter-out auto,$(PRESET)),tiny)

lab: $(STAMP)
	$(BIN)/jupyter lab nbs/

clean:
	rm -rf $(VENV) .cache _proc _docs rdd.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +

# The GPU check (nbs/09_benchmarks, gpu_check): everything a lent GPU should measure, in one command of a few minutes.
# The device machine has PyTorch but not every package rdd imports: `make gpu-wheels` here fetches them as wheels into
# .whl/ (git-ignored; carry it), then on the device `make gpu-check OUT=$OUT` installs them and writes the CSVs to OUT.
# `make gpu-check-dry` runs the same parts at tiny sizes on this machine (the plumbing; CI runs it as a test).
GPU_WHEELS := diffusers fastcore lpips torch-fidelity importlib-metadata
OUT ?= gpu-check
gpu-wheels: $(STAMP)   # the versions this venv has
	rm -rf .whl; $(BIN)/pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
	  --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d .whl \
	  $$($(BIN)/pip freeze | grep -iE '^($(subst $() ,|,$(subst -,.,$(GPU_WHEELS))))==')

gpu-check:
	python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
	PYTHONPATH=/tmp/site:$(CURDIR) PYTHONUNBUFFERED=1 python3 -c 'import sys; from rdd.benchmarks import gpu_check; \
	  sys.exit(0 if (gpu_check(sys.argv[1]).status == "ok").all() else 1)' $(OUT)

gpu-check-dry: $(STAMP)
	$(BIN)/rdd_gpu_check --dry_run --out .cache/gpu-check-dry

# How to share the cores (nbs/09_benchmarks, arrangement_table): one RDD 2 -> 1 stage alone against two side by side
# (results/bench_arrangement.csv; run_jobs' arrangement follows it). Needs an idle machine, about 4 minutes at cpu.
bench-arrangement: $(STAMP)
	$(BIN)/python -c "from rdd.benchmarks import arrangement_table; from rdd.paths import repo_dir, results_dir; \
	  t = arrangement_table(repo_dir() / 'checkpoints/cpu/runs/rdd-4to2-cpu-45a27c4c', 'cpu', 'rdd', 30); \
	  t.to_csv(results_dir() / 'bench_arrangement.csv', index=False); print(t.drop(columns=['device']).to_string(index=False))"
