# podwright — every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := local,piper,asr,studio,dev,postgres,ray,modal
# llama-cpp-python builds from source (~8 min on 2 cores, once: pip caches the wheel).
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
export PODWRIGHT_DEMO_OUT ?= out/demo

.PHONY: setup demo test test-long check fmt bench clean chromium postgres

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/podwright produce --show examples/show.toml --offline --minutes 1.5 --tier draft \
		--topic "Why the night sky is dark: Olbers' paradox" --out $(PODWRIGHT_DEMO_OUT)

# The studio's browser tests drive Debian's Chromium (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

# The store tests start a real PostgreSQL server of their own (initdb + pg_ctl in a temp dir); they
# fail, not skip, without one, so the server package is installed when no initdb is found.
postgres:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq postgresql; }

test: $(STAMP) chromium postgres
	$(BIN)/python -m pytest -q

# Whole scripts from the embedded model on real PDFs (about 10 minutes each on 2 cores).
test-long: $(STAMP)
	PODWRIGHT_LONG_TESTS=1 $(BIN)/python -m pytest -q -m long

check: $(STAMP) chromium postgres
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(STAMP) postgres
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) out bench/out .pytest_cache .mypy_cache .ruff_cache
