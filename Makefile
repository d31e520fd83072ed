# The two commands of README.md. Both create .venv on first use and reuse it afterwards (seconds).
#   make lab    the student's install (the course, JupyterLab), then JupyterLab on notebooks/
#   make test   adds the test and instructor tools (pytest, nbval, nbgrader), then the whole suite
# torch comes first: without an NVIDIA GPU, the CPU build from PyTorch's CPU wheel index (falling back
# to the default index within seconds when that index cannot be reached); with one (nvidia-smi
# present), the default index's build (CUDA on Linux). A torch already installed is kept.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STUDENT := $(VENV)/.installed-lab
DEVELOPER := $(VENV)/.installed-dev
TORCH_SPEC ?= torch==2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
JOBS ?= 2
PIP := $(BIN)/python -m pip install --quiet

.PHONY: lab test setup instructor notebooks

setup: $(DEVELOPER)

$(STUDENT): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		'vgan-course needs Python 3.11 or newer, found ' + sys.version.split()[0] + ': make PYTHON=python3.12 ...')"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip 2>&1 | grep -v "is ignored" || true
	@$(BIN)/python -c "import torch" 2>/dev/null && echo "torch already installed: kept" || \
	if command -v nvidia-smi >/dev/null; then $(PIP) "$(TORCH_SPEC)"; \
	else $(PIP) --timeout 5 --retries 0 --index-url "$(TORCH_CPU_INDEX)" "$(TORCH_SPEC)" || \
		{ echo "no torch from $(TORCH_CPU_INDEX) (unreachable, or no wheel for this Python): the default index's"; \
		$(PIP) "$(TORCH_SPEC)"; }; fi
	$(PIP) -e ".[lab]"
	$(BIN)/python -c "import torch, vgan_course; print('torch', torch.__version__, '- vgan-course ready')"
	touch $(STUDENT)

$(DEVELOPER): $(STUDENT)
	$(PIP) -e ".[dev,instructor]"
	touch $(DEVELOPER)

instructor: $(DEVELOPER)

lab: $(STUDENT)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Unit tests, consistency checks and every notebook under nbval, in the smoke profile,
# on $(JOBS) workers with one torch thread each. Each notebook and each test file runs in one
# worker, except the grading corpora: one assignment at a time (conftest.py).
test: $(DEVELOPER)
	VGAN_PROFILE=smoke OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		--nbval-lax --nbval-current-env -q

# Regenerate the .ipynb files from their py:percent twins (after editing a twin).
notebooks: $(DEVELOPER)
	$(BIN)/vgan-course sync
