# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install newsqa (no test extras), run the demo: ingest the seed
#                 article into a temporary database, answer a question, print a summary
#   make test   - create .venv, install with test extras, run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test serve readme

# torch first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e .
	touch $@

# What the tests need on top of the library.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed-test

demo: $(VENV)/.installed
	$(VENV)/bin/newsqa demo

serve: $(VENV)/.installed
	$(VENV)/bin/newsqa serve

# The suite runs on every core (pytest-xdist, a file per worker so each file's models load once),
# then the schema fuzzing on its own: schemathesis's tests share one node id, which xdist cannot split.
test: $(VENV)/.installed-test
	NEWSQA_DAEMON=0 $(PY) -m pytest -n auto --dist loadfile --ignore tests/test_openapi_fuzz.py
	NEWSQA_DAEMON=0 $(PY) -m pytest tests/test_openapi_fuzz.py

# Re-run the commands shown in README.md and write their output into it (CI checks they match).
readme: $(VENV)/.installed
	$(PY) scripts/readme_examples.py --write
