# Two commands on a fresh machine: `make run` serves the tool, `make test` runs the tests.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
ARGS ?=
DIST ?= dist
# The Python whose pip builds the wheel: the checkout's venv when there is one.
BUILD_PY ?= $(if $(wildcard $(PY)),$(PY),$(PYTHON))

.PHONY: run test bench clean-venv wheel

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/workshop serve $(ARGS)

test: $(STAMP)
	$(PY) -m pytest $(ARGS)

bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,bench]"
	bash bench/run

clean-venv:
	rm -rf $(VENV)

# The wheel of the commit checked out (HEAD) in $(DIST), built from a clean export of it: never from build/
# (setuptools keeps modules there that the source no longer has) nor from uncommitted files. Install it with
# pip, which removes the files of the version it replaces (docs/deployment.md, 7. Upgrades).
wheel:
	@rm -rf "$(DIST)/.export" && mkdir -p "$(DIST)/.export"
	git archive HEAD | tar -x -C "$(DIST)/.export"
	$(BUILD_PY) -m pip wheel --no-deps --quiet -w "$(DIST)" "$(DIST)/.export"
	@rm -rf "$(DIST)/.export"
	@ls -1 "$(DIST)"/workshop-*.whl
