# Two commands on a fresh machine: `make demo` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATASET_DIR ?= /usr/share/datasets/fashion-mnist
DEMO_OUT ?= demo-out
DEMO_SUBMISSIONS ?= demo-entregas
TORCH_VERSION ?= 2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: install system-deps demo test test-fast bench clean

install: $(BIN)/grader system-deps

$(BIN)/grader: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# the torch extra's CPU build first, from PyTorch's own index (PyPI's build pulls gigabytes of CUDA
	@# libraries); where that index cannot be reached (a closed network), the configured indexes are asked below
	$(BIN)/python -c 'import torch' 2>/dev/null || ! $(BIN)/python -c 'import socket, urllib.parse; \
	  socket.create_connection((urllib.parse.urlsplit("$(TORCH_INDEX)").hostname, 443), 5).close()' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet 'torch==$(TORCH_VERSION)' --index-url $(TORCH_INDEX) || \
	  echo "NOTE: torch not installed from $(TORCH_INDEX); trying the configured indexes"
	$(BIN)/python -m pip install --quiet -e '.[test,torch]'
	@touch $(BIN)/grader

# System packages from Debian, installed when missing and we are root (otherwise: a clear note):
#   dataset-fashion-mnist (the data set, read offline), bubblewrap (strict kernel isolation)
#   and chromium (the real-browser tests of the HTML pages; they are skipped without it).
system-deps:
	@missing=""; \
	[ -f "$(DATASET_DIR)/t10k-images-idx3-ubyte.gz" ] || missing="$$missing dataset-fashion-mnist"; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then \
	  echo "System packages present: Fashion-MNIST in $(DATASET_DIR), bubblewrap, chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian packages:$$missing"; \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null)) \
	   || echo "WARNING: could not install$$missing (see README: Set-up)"; \
	else \
	  echo "NOTE: missing Debian packages:$$missing (installing them needs root)."; \
	  echo "      Ask an administrator for 'sudo apt-get install$$missing'."; \
	  echo "      Without the data set, set GRADER_DATA_DIR to a folder with the four Fashion-MNIST .gz files;"; \
	  echo "      without bubblewrap, notebooks run with degraded isolation (see README: Isolation)."; \
	  echo "      without chromium, the browser tests (tests/browser) are skipped."; \
	fi

# grades a copy of the example notebooks: a teacher's decisions (decisions.toml) go next to the
# copy, never into assignments/
demo: install
	@mkdir -p $(DEMO_SUBMISSIONS) && cp assignments/cnn-pratica/examples/*.ipynb $(DEMO_SUBMISSIONS)/
	$(BIN)/grader run $(DEMO_SUBMISSIONS) --assignment cnn-pratica --out $(DEMO_OUT) --jobs 2

# two test processes (pytest-xdist) on two cores, each executing one kernel at a time (tests/conftest.py:
# KERNEL_JOBS); tests/conftest.py groups the tests so that each grading run and each reference solution
# executes once, the longest groups first. TEST_WORKERS=0: one process, two kernels at a time
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q --durations=10 -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test-fast: install
	$(BIN)/python -m pytest -q -m "not kernel"

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) $(DEMO_SUBMISSIONS) .pytest_cache
