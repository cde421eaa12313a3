# 微察桌面版 — developer tasks. `make run` and `make test` create .venv themselves.
PYTHON ?= python3
VENV := .venv
DATA ?= $(CURDIR)/data
PYTEST_ARGS ?=
STAMP := $(VENV)/.stamp

.PHONY: venv run test check clean

venv: $(STAMP)

# Rebuilt only when pyproject.toml changes (or the venv is gone).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@

run: venv
	$(VENV)/bin/weicha --data-dir "$(DATA)"

test: venv
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q $(PYTEST_ARGS)

check: venv
	$(VENV)/bin/weicha forms check

# Never touches ./data (case records and evidence live there).
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . \( -path ./.git -o -path ./data \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
