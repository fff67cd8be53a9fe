# The course's commands. `make lab` opens the course; `make test` runs the whole test suite.
# Both create the environment in .venv on first use (Python 3.10+, about 5 GB with PyTorch's CUDA libraries).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NB ?= 01_binary_classification
export PATH := $(abspath $(BIN)):$(PATH)
# notebooks and kernels import this checkout's course_utils
export PYTHONPATH := $(CURDIR)

.PHONY: lab test test-notebook release clean-outputs env

env: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

lab: env  ## open the course in JupyterLab (students: release/; instructors: Nbgrader -> Formgrader)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_FLAGS)

test: env  ## run every test: course_utils units, notebooks, the grading pipeline
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests

test-notebook: env  ## the grading contract for one notebook: make test-notebook NB=03_digit_recognition
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests -k "$(NB)"

release: env  ## regenerate the student versions in release/ from source/
	for nb in source/*/; do $(BIN)/nbgrader generate_assignment $$(basename $$nb) --force; done

clean-outputs: env  ## clear outputs of the source notebooks before committing
	$(BIN)/jupyter nbconvert --clear-output --inplace source/*/*.ipynb
