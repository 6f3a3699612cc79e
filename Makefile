# One entry point for people and CI. See README.md.
SHELL := /bin/bash
PYENV_PY := $(shell command -v pyenv >/dev/null 2>&1 && echo "$$(pyenv root)/versions/3.10.13/bin/python")
PYTHON310 ?= $(shell if [ -x "$(PYENV_PY)" ]; then echo "$(PYENV_PY)"; else command -v python3.10; fi)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
RASA_DATA := data/nlu data/dialogue
RASA_FILES := --domain domain --data $(RASA_DATA)

export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SANIC_HOST ?= 127.0.0.1
export ACTIONS_PORT
export RASA_PORT
WEB_PORT ?= 8080
export WEB_PORT
export TRACKER_STORE_URL ?= sqlite:///$(CURDIR)/var/tracker.db

.PHONY: setup train model run shell test validate bench lock clean catalogue validate-catalogue screenshots ranker nlu-knowledge

setup: $(STAMP)

$(STAMP): requirements.txt web/package-lock.json
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install python3.10 (Rasa 3.6 needs Python 3.8-3.10)"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 18+ (the web chat's socket.io client comes from npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

# Train only when inputs changed (Rasa fingerprints and skips otherwise).
train: setup
	$(RASA) train $(RASA_FILES) --config config.yml --out models

# Train only if there is no model yet.
model: setup
	@ls models/*.tar.gz >/dev/null 2>&1 || $(MAKE) --no-print-directory train

# Without a one-stop system configured, the embedded database gets the fictitious demo dossiers.
run: model
	@mkdir -p var
	@if [ -z "$$ONESTOP_DB_URL$$ONESTOP_API_URL" ]; then $(PY) -m actions.onestop seed-demo; fi
	@bash scripts/run.sh

# Terminal chat with the running assistant (start `make run` in another terminal first).
shell: setup
	@$(PY) -m bot.terminal_chat

validate: setup
	$(RASA) data validate $(RASA_FILES) --config config.yml --fail-on-warnings

test: setup
	$(PY) -m pytest -q tests

# The web chat's pictures in the README (every state at 360 px), taken by the accessibility test
# in Chromium against the running stack, with the current model.
screenshots: model
	rm -f docs/web-chat/*.png
	WEB_SCREENSHOTS_DIR=$(CURDIR)/docs/web-chat TEST_MODEL_PATH=$$(ls -t $(CURDIR)/models/*.tar.gz | head -1) \
		$(PY) -m pytest -q tests/web/test_browser.py -k "every_state and phone"

bench: setup
	$(PY) bench/nlu.py
	$(PY) bench/procedures.py
	$(PY) bench/conversation.py
	$(PY) bench/onestop.py
	$(PY) bench/web.py

# The national records (../shared) as a catalogue in the ignored runtime folder. Serve it with
# `PROCEDURES_PATH=var/procedures/dvcqg.jsonl make run`.
DVCQG ?= ../shared/datasets/dvcqg/procedures.jsonl.gz
# Relearn the procedure ranker's weights (actions/procedures/ranker.json) from the dev and tuning
# sets over the national records, after changing the engine's features or the knowledge files.
ranker: setup
	$(PY) bench/train_ranker.py

# Regenerate data/nlu/procedure_names.yml from data/knowledge/procedure_aliases/ (then make train).
nlu-knowledge: setup
	$(PY) scripts/knowledge_to_nlu.py

catalogue: setup
	$(PY) -m actions.procedures import-dvcqg $(DVCQG) --out var/procedures/dvcqg.jsonl --coverage

validate-catalogue: setup
	@$(PY) -c "from actions.procedures.catalogue import load; c = load(); print(f'{len(c)} procedures valid in {c.source}')"

# Refresh the lock after editing requirements.in.
lock:
	rm -rf /tmp/lockvenv && $(PYTHON310) -m venv /tmp/lockvenv
	/tmp/lockvenv/bin/pip install --quiet -r requirements.in
	/tmp/lockvenv/bin/pip freeze --exclude-editable > requirements.txt

clean:
	rm -rf $(VENV) var models/*.tar.gz .rasa
