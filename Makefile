# registry: one entry point for set-up, build, demo, tests and benchmarks.
# `make demo` and `make test` work on a fresh Debian machine with Swift installed.

SHELL      := /bin/bash
SWIFT      ?= swift
VENV       ?= .venv-tf
PYTHON     := $(abspath $(VENV))/bin/python
SHARED     ?= $(abspath ../shared)
TF_VERSION := 2.21.0
APT_PACKAGES := libsqlite3-dev liblz4-dev libopenblas-dev pkg-config

.PHONY: deps venv build release demo test soak bench protos clean

## deps: install the system libraries the package links (only those missing).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## venv: a git-ignored virtualenv with tensorflow-cpu for the interop tests.
venv: $(VENV)/.ready
$(VENV)/.ready:
	@python3 -m venv --help >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check tensorflow-cpu==$(TF_VERSION)
	@touch $@

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## demo: the main job, end to end (TensorFlow checks run too when .venv-tf exists: make venv).
demo: release
	@bash scripts/demo.sh "$$($(SWIFT) build -c release --show-bin-path)/registry" "$(SHARED)" \
		"$$( [ -x $(PYTHON) ] && echo $(PYTHON) )"

## test: every test, including those that ask real TensorFlow.
test: deps venv
	REGISTRY_TF_PYTHON=$(PYTHON) REGISTRY_REQUIRE_TF=1 REGISTRY_FIXTURES=$(SHARED)/fixtures/tf2.21 \
		$(SWIFT) test 2>&1 | tee .build-test.log; exit $${PIPESTATUS[0]}

## soak: the long forms of the reliability tests (crash trials, concurrency, fuzzing, bit rot).
soak: deps venv
	REGISTRY_SOAK=1 REGISTRY_TF_PYTHON=$(PYTHON) REGISTRY_FIXTURES=$(SHARED)/fixtures/tf2.21 \
		$(SWIFT) test --filter 'CrashSafetyTests|ConcurrencyTests|FuzzTests|BitRotTests|MutationTests' 2>&1 | tee .build-soak.log; exit $${PIPESTATUS[0]}

## bench: throughput figures (release build), printed as one table.
bench: deps venv
	REGISTRY_TF_PYTHON=$(PYTHON) $(SWIFT) run -c release registry-bench

## protos: regenerate Sources/Registry/Format/Generated from the .proto files.
protos:
	bash scripts/generate-protos.sh

clean:
	rm -rf .build .build-test.log
