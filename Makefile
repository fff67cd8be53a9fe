# The course's commands. `make lab` opens the course; `make test` runs the whole test suite.
# Both create the environment in .venv on first use (Python 3.10+, about 5 GB with PyTorch's CUDA libraries).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NB ?= 01_binary_classification
export PATH := $(abspath $(BIN)):$(PATH)
# notebooks and kernels import this checkout's course_utils
export PYTHONPATH := $(CURDIR)

WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
SEEDS ?= 20
COPIES ?= 6

.PHONY: lab test test-notebook release clean-outputs env system-deps grade determinism benchmark grade-groups \
	copy-manual-grades leaderboard
GROUPS ?= groups.csv

env: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

lab: env  ## open the course in JupyterLab (students: release/; instructors: Nbgrader -> Formgrader)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_FLAGS)

system-deps:  ## Debian and npm packages the tests need (browser, proxy, sandbox), where this machine allows
	bash scripts/install_system_deps.sh

test: env system-deps  ## run every test: course_utils units, notebooks, the grading pipeline
	MPLBACKEND=Agg $(BIN)/python -m pytest -q --durations=30 tests

test-notebook: env  ## the grading contract for one notebook: make test-notebook NB=03_digit_recognition
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests -k "$(NB)"

release: env  ## regenerate the student versions in release/ from source/
	for nb in source/*/; do $(BIN)/nbgrader generate_assignment $$(basename $$nb) --force; done

clean-outputs: env  ## clear outputs of the source notebooks before committing
	$(BIN)/jupyter nbconvert --clear-output --inplace source/*/*.ipynb

grade: env  ## autograde every submission in parallel: make grade NB=01_binary_classification [FROM=export.zip]
	$(BIN)/python -m course_grading.batch $(NB) --workers $(WORKERS) $(if $(FROM),--from "$(FROM)")

determinism: env  ## rerun each reference solution under SEEDS global seeds: make determinism [NB=...]
	MPLBACKEND=Agg $(BIN)/python -m course_grading.determinism $(if $(filter command line,$(origin NB)),$(NB),$(notdir $(wildcard source/[0-9]*))) --seeds $(SEEDS) --workers $(WORKERS)

benchmark: env  ## parallel grading vs plain nbgrader autograde: make benchmark NB=01_binary_classification
	MPLBACKEND=Agg $(BIN)/python -m course_grading.benchmark $(NB) --copies $(COPIES) --workers $(WORKERS)

grade-groups: env  ## grade one submission per project group: make grade-groups NB=project_1_data GROUPS=groups.csv
	$(BIN)/python -m course_grading.groups grade $(NB) --groups "$(GROUPS)" --workers $(WORKERS)

copy-manual-grades: env  ## after formgrader: make copy-manual-grades NB=project_3_report GROUPS=groups.csv
	$(BIN)/python -m course_grading.groups copy-manual $(NB) --groups "$(GROUPS)"

leaderboard: env  ## score each group's milestone-2 model on the instructors' test set: make leaderboard GROUPS=groups.csv
	MPLBACKEND=Agg $(BIN)/python -m course_grading.leaderboard --groups "$(GROUPS)" $(if $(SEED),--seed $(SEED))
