# Two commands on a fresh machine: `make demo` and `make test`. Both start with `make install`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATASET_DIR ?= /usr/share/datasets/fashion-mnist
DEMO_OUT ?= demo-out

.PHONY: install dataset demo test test-fast bench clean

install: $(BIN)/grader dataset

$(BIN)/grader: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(BIN)/grader

# Fashion-MNIST comes from Debian's dataset-fashion-mnist; install it when missing and we can.
dataset:
	@if [ -f "$(DATASET_DIR)/t10k-images-idx3-ubyte.gz" ]; then \
	  echo "Fashion-MNIST: $(DATASET_DIR)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian package dataset-fashion-mnist..."; \
	  (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >/dev/null)) \
	   || echo "WARNING: could not install dataset-fashion-mnist; set GRADER_DATA_DIR to a folder with the Fashion-MNIST .gz files"; \
	else \
	  echo "NOTE: Fashion-MNIST not found in $(DATASET_DIR) and apt-get needs root."; \
	  echo "      Ask an administrator for 'sudo apt-get install dataset-fashion-mnist',"; \
	  echo "      or set GRADER_DATA_DIR to a folder holding the four Fashion-MNIST .gz files."; \
	fi

demo: install
	$(BIN)/grader run assignments/cnn-pratica/examples --assignment cnn-pratica --out $(DEMO_OUT) --jobs 2

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not kernel"

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache
