# The two commands of README.md. Both create .venv on first use (torch's CPU build first, so
# no CUDA build is ever pulled on a CPU machine) and reuse it afterwards (seconds).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_SPEC ?= torch==2.13.0
JOBS ?= 2

.PHONY: lab test setup notebooks

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev,instructor]"
	$(BIN)/python -c "import torch, vgan_course; print('torch', torch.__version__, '- vgan-course ready')"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Unit tests, consistency checks and every notebook under nbval, in the smoke profile,
# on $(JOBS) workers with one torch thread each.
test: $(STAMP)
	VGAN_PROFILE=smoke OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		--nbval-lax --nbval-current-env -q

# Regenerate the .ipynb files from their py:percent twins (after editing a twin).
notebooks: $(STAMP)
	$(BIN)/vgan-course sync
