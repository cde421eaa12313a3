# 微察桌面版 — developer tasks. `make run` and `make test` create .venv themselves.
PYTHON ?= python3
VENV := .venv
DATA ?= $(CURDIR)/data
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (the suite is CPU-bound; 2 = this project's machines).
# DIST loadfile: a test file runs whole on one worker, so what a module sets up once (its
# server, its folder, its window) is set up once, not once per worker (quiet 2-core machine,
# same tree: load 81 s / 133 CPU-s, loadfile 77 s / 132, worksteal 80 s; -n 3 77 s / 137-142).
JOBS ?= 2
DIST ?= loadfile
# A worker that crashes (a segmentation fault) is not replaced: its test fails, naming the
# crash, and the other worker runs the rest. With a replacement, xdist 3.8 hung for good after
# such a crash once the crashed worker's server fixtures were in play (seen: an hour, at 97 %).
XDIST_CRASH := --max-worker-restart=0
STAMP := $(VENV)/.stamp
# Interface translations: Chinese is the source language; English from weicha_en.ts, whose
# compiled .qm is a build artefact (git-ignored), rebuilt whenever the .ts changes.
TS := resources/translations/weicha_en.ts
QM := $(TS:.ts=.qm)

.PHONY: venv run test check clean translations ts screenshots bench bundle soak

venv: $(STAMP)

# Rebuilt only when pyproject.toml changes (or the venv is gone).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@

run: venv translations
	$(VENV)/bin/weicha --data-dir "$(DATA)"

# The suite runs under eatmydata where it is installed (.ci/run installs it): fsync becomes a
# no-op. An fsync only matters when the machine loses power, which no test can observe; the
# crash tests kill processes (the page cache survives them) and the fsync-failure tests patch
# os.fsync itself. Saves ~20% of the suite's wall time (every commit writes a checkpoint with
# two fsyncs). `make test EATMYDATA=` runs without it.
EATMYDATA ?= $(shell command -v eatmydata 2>/dev/null)

# PYTHONDONTWRITEBYTECODE= (empty): Python's own .pyc cache, which some images switch off;
# without it every worker and every program a test starts compiles the package from source
# again (~15% of the CPU time of the subprocess tests).
# The server's tests run on PostgreSQL too: WEICHA_TEST_PG_URL, else tools/test_postgres.sh
# starts the distribution's cluster (as the postgres user; needs root and `apt-get install
# postgresql`) and prints it. Without either the PostgreSQL tests fail, saying why.
#
#
# The tests' files (data folders, photos, bundles, servers' databases: ~0.5 GB written and
# deleted in a run) go to a RAM file system when the machine has one with room
# (tools/test_tmp.sh; TMPDIR and pytest's --basetemp): on a disk, above all one mounted with
# `discard`, each deletion costs kernel time (~10 ms for SQLite's side files at a close).
# Removed after a run that passed, kept after a failure (the failing tests' files).
# `make test TEST_TMP=` writes where pytest and TMPDIR say.
TEST_TMP ?= $(shell bash tools/test_tmp.sh)
test: venv translations
	@url="$${WEICHA_TEST_PG_URL:-}"; \
	if [ -z "$$url" ]; then url="$$(bash tools/test_postgres.sh)" || \
	  echo "make test: no PostgreSQL for the server's tests (see tools/test_postgres.sh)" >&2; fi; \
	tmp="$(TEST_TMP)"; if [ -n "$$tmp" ]; then mkdir -p "$$tmp" && export TMPDIR="$$tmp"; \
	  set -- --basetemp="$$tmp/pytest"; fi; \
	WEICHA_TEST_PG_URL="$$url" QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE= \
	  $(EATMYDATA) $(VENV)/bin/pytest -q -n $(JOBS) --dist $(DIST) $(XDIST_CRASH) "$$@" $(PYTEST_ARGS) && \
	{ [ -z "$$tmp" ] || rm -rf "$$tmp"; } || \
	{ code=$$?; [ -z "$$tmp" ] || echo "make test: the tests' files are in $$tmp" >&2; exit $$code; }

# The seeded sync fault campaign at length (tests/test_sync_faults_campaign.py; make test runs
# a sample of ~16 runs on each backend that injects every fault kind 3+ times): SOAK_RUNS runs on each from seed SOAK_SEED,
# SOAK_CHAIN runs sharing their laptops (PostgreSQL found as in make test); then the figures
# (runs, time, faults injected by kind). A failing seed prints the make soak line that replays it.
SOAK_RUNS ?= 1000
SOAK_SEED ?= 0
SOAK_CHAIN ?= 20
# then a USB bundle of BUNDLE_SOAK_MB written and opened in bounded memory, against a copy, and
# the laptop's real export imported by the server's importer at that size
BUNDLE_SOAK_MB ?= 2048
soak: venv
	@mkdir -p build && rm -f build/soak.jsonl
	@url="$${WEICHA_TEST_PG_URL:-}"; [ -n "$$url" ] || url="$$(bash tools/test_postgres.sh)"; \
	WEICHA_TEST_PG_URL="$$url" SOAK_RUNS=$(SOAK_RUNS) SOAK_SEED=$(SOAK_SEED) SOAK_CHAIN=$(SOAK_CHAIN) SOAK_REPORT=$(CURDIR)/build/soak.jsonl \
	  QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE= $(EATMYDATA) \
	  $(VENV)/bin/pytest -q -n $(JOBS) -p no:cacheprovider tests/test_sync_faults_campaign.py
	$(VENV)/bin/python -m tests.test_sync_faults_campaign build/soak.jsonl
	@# every property test at the soak profile's example counts (make test runs fewer: tests/conftest.py)
	@url="$${WEICHA_TEST_PG_URL:-}"; [ -n "$$url" ] || url="$$(bash tools/test_postgres.sh)"; \
	WEICHA_TEST_PG_URL="$$url" HYPOTHESIS_PROFILE=soak QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE= $(EATMYDATA) \
	  $(VENV)/bin/pytest -q -n $(JOBS) -p no:cacheprovider -m hypothesis tests/
	BUNDLE_SOAK_MB=$(BUNDLE_SOAK_MB) $(VENV)/bin/pytest -q -s -p no:cacheprovider tests/test_bundle_memory.py \
	  tests/test_issue12_memory.py

translations: $(QM)

$(QM): $(TS) | $(STAMP)
	$(VENV)/bin/pyside6-lrelease $(TS) -qm $(QM)

# After adding or changing tr() strings in weicha_desktop/gui/ (every .py below it, in all
# its packages): collect them into the .ts (existing translations are kept), then give every
# new entry its English (Qt Linguist: .venv/bin/pyside6-linguist $(TS)). tests/test_i18n.py
# fails while any is missing.
GUI_SOURCES = $(shell find weicha_desktop/gui -name '*.py' | LC_ALL=C sort)
ts: venv
	$(VENV)/bin/pyside6-lupdate $(GUI_SOURCES) -source-language zh_CN \
	  -target-language en -locations none -no-obsolete -ts $(TS)

# docs/screenshots/: the main screens rendered offscreen at 1024×768 (NAME.png; in English
# NAME-en.png) and at 1366×768 (NAME-1366.png), from 200 demo cases (build/shots; the demo sets
# that folder up itself, so its admin has the demo password weicha-demo-2026) and the cases
# tools/screenshot_cases.py adds (shots.env): a draft with eight sample photos (photo log,
# register), a finalized case with them (review page), a case returned about one section
# (case form) — each shown as one of its investigators, the review page as the supervisor.
SHOTS := build/shots
WEICHA := $(VENV)/bin/weicha --data-dir $(SHOTS)
SCREENS := 1024x768: 1366x768:-1366 1024x768:-en
screenshots: venv translations
	rm -rf $(SHOTS) && $(WEICHA) demo --cases 200
	$(VENV)/bin/python tools/screenshot_cases.py --data-dir $(SHOTS)
	. $(SHOTS)/shots.env && for screen in $(SCREENS); do \
	  size=$${screen%%:*}; name=$${screen#*:}; lang=zh; [ "$$name" = -en ] && lang=en; \
	  shot="$(WEICHA) screenshot --size $$size --lang $$lang"; out=docs/screenshots; \
	  $$shot -o $$out/main$$name.png && \
	  $$shot -o $$out/case-form$$name.png --user $$RETURNED_USER --case $$RETURNED_CASE && \
	  $$shot -o $$out/photo-log$$name.png --user $$PHOTO_USER --case $$PHOTO_CASE --view photos \
	    --photo 6 && \
	  $$shot -o $$out/evidence-register$$name.png --user $$PHOTO_USER --case $$PHOTO_CASE \
	    --view evidence && \
	  $$shot -o $$out/review$$name.png --user 周建国 --page review --case $$REVIEW_CASE && \
	  $$shot -o $$out/checks$$name.png --page checks && \
	  $$shot -o $$out/collect$$name.png --page collect && \
	  $$shot -o $$out/patrol$$name.png --page patrol && \
	  $$shot -o $$out/requests$$name.png --page requests || exit 1; \
	done
	. $(SHOTS)/shots.env && $(WEICHA) screenshot --size 1024x768 -o docs/screenshots/review-photos.png \
	  --user 周建国 --page review --case $$REVIEW_CASE --at photos

check: venv
	$(VENV)/bin/weicha forms check

# Never touches ./data (case records and evidence live there).
clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	find . \( -path ./.git -o -path ./data \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Benchmarks (not tests): each prints ratios to a floor measured in the same run and writes
# benchmarks/results/*.json. The case-list one builds a 100k-case data folder once (~5 min).
bench: venv
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python benchmarks/bench_case_list.py
	$(VENV)/bin/python benchmarks/bench_photo_import.py
	$(VENV)/bin/python benchmarks/bench_report.py

# A self-contained program folder (dist/weicha: weicha + weicha-cli) with PyInstaller; the
# installer issue wraps it for Windows/macOS. Not part of `make test`.
bundle: venv translations
	$(VENV)/bin/python -m pip install pyinstaller
	$(VENV)/bin/pyinstaller --noconfirm build_installer.spec
