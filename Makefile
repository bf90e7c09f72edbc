# Two commands do all the set-up on a fresh machine:
#   make demo   - create .venv, install, ingest seeds/, answer a question, print a summary
#   make test   - create .venv, install with test extras, run the test suite
VENV ?= .venv
PY := $(VENV)/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test serve

# torch first and pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/newsqa demo seeds

serve: setup
	$(VENV)/bin/newsqa serve

test: setup
	$(PY) -m pytest
