# User-facing targets; each does all the set-up it needs, and is instant when done.
#   make lab    venv + Python deps + graphviz `dot`, then JupyterLab on notebooks/
#   make test   venv + Python deps + graphviz `dot` + chromium + node, then pytest (+ nbval);
#               the model's tests also run on Python 3.12-3.14 in Pyodide under node
#               (tests/test_pythons.py)
#   make lite   the course as a static JupyterLite site in build/lite/ (browser only, no install)
#   make site   the course as static pages and slides in build/site/ (no Python in the browser)
#   make solutions  rebuild the lecturers' solutions in lecturers/solutions/
# PYTHON=python3.12 picks the Python the venv is made from (3.10 or newer).

SHELL     := /bin/bash
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
NOTEBOOKS := $(wildcard notebooks/*.ipynb lecturers/solutions/*.ipynb)
LAB_IP    ?= 127.0.0.1
LAB_PORT  ?= 8888
PYTEST_ARGS ?=

# The editable install maps the top-level packages present when it ran; when one
# appears later (kernelptr/, widgets/), reinstall once. The stamp records the set.
PKGS := $(sort $(wildcard kernelptr/__init__.py widgets/__init__.py))
ifneq ($(strip $(shell cat $(STAMP) 2>/dev/null)),$(strip $(PKGS)))
$(STAMP): FORCE
endif

.PHONY: lab test lite site solutions notebooks venv python-info system-deps-lab system-deps-test system-deps-lite FORCE

lab: $(STAMP) system-deps-lab python-info
	@mkdir -p notebooks
	$(VENV)/bin/jupyter lab --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
	    $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: $(STAMP) system-deps-test python-info
	$(PY) -m pytest tests $(if $(NOTEBOOKS),--nbval $(NOTEBOOKS)) $(PYTEST_ARGS)

venv: $(STAMP)

# The zero-install course: a static site (JupyterLite + Pyodide + Graphviz in WebAssembly) that
# any static web server can serve; downloads are cached in build/lite-cache/.
lite: $(STAMP) system-deps-lite
	$(PY) lite/build.py

# The course as plain files (build/site/): every notebook as a page and as reveal.js slides
# with speaker notes, every recording steppable; opens from disk or any static host, offline.
site: $(STAMP) system-deps-lab
	$(PY) site/build.py

# The executed solutions, for lecturers (outside notebooks/, which students open).
solutions: $(STAMP) system-deps-lab
	$(PY) lecturers/build.py --solutions

# Rebuild and re-execute the notebooks from lecturers/src (after editing a source, or after
# a change to the pictures: nbval compares every output, SVG included).
notebooks: $(STAMP) system-deps-lab
	$(PY) lecturers/build.py

system-deps-lab:
	@.ci/ensure-system-deps.sh graphviz

system-deps-test:
	@.ci/ensure-system-deps.sh graphviz chromium node

# Which Python the course runs on (the venv's, and the interpreter it was made from).
python-info: | $(PY)
	@$(PY) -c 'import os, platform, sys; print(f"Python {platform.python_version()}:", \
	    sys.executable, f"(made from {os.path.realpath(sys.executable)})")'

system-deps-lite:
	@.ci/ensure-system-deps.sh node

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	    echo "error: no '$(PYTHON)' found; kernelptr needs Python 3.10 or newer." >&2; \
	    echo "       Install it: sudo apt-get install python3 python3-venv" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	    version=$$($(PYTHON) -c 'import platform; print(platform.python_version())'); \
	    echo "error: $(PYTHON) is Python $$version; kernelptr needs Python 3.10 or newer." >&2; \
	    echo "       Install a newer one (e.g. sudo apt-get install python3.11 python3.11-venv," >&2; \
	    echo "       or from python.org, pyenv or conda), then: make PYTHON=python3.11 lab" >&2; \
	    exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	    echo "error: $(PYTHON) cannot create virtual environments (no venv/ensurepip module)." >&2; \
	    echo "       Install it: sudo apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# The JupyterLab defaults for presenting (lecturers/lab-settings/) go into the venv's lab
# settings: deck mode keeps the prompt column, so the Steppers' first buttons stay clickable.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/kernelptr.json

$(STAMP): pyproject.toml lecturers/lab-settings/kernelptr.json | $(PY)
	$(PY) -m pip install --disable-pip-version-check -e '.[test]'
	install -D -m 644 lecturers/lab-settings/kernelptr.json $(LAB_OVERRIDES)
	@echo '$(PKGS)' > $@

FORCE:
