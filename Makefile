# registry: one entry point for set-up, build, demo, tests and benchmarks.
# `make demo` and `make test` work on a fresh Debian machine with Swift installed.

SHELL      := /bin/bash
SWIFT      ?= swift
VENV       ?= .venv-tf
PYTHON     := $(abspath $(VENV))/bin/python
SHARED     ?= $(abspath ../shared)
TF_VERSION := 2.21.0
APT_PACKAGES := libsqlite3-dev liblz4-dev libopenblas-dev pkg-config libcurl4-openssl-dev time docker-registry skopeo git binutils \
                chromium chromium-driver
# Release binaries link the Swift runtime and Foundation statically: `registry ls` starts in
# 18 ms instead of 29 (the dynamic loader resolved 56 libraries). Static FoundationNetworking
# needs libcurl's development files.
RELEASE    := -c release --static-swift-stdlib
# The layers may import only the modules they declare (ARCHITECTURE.md): a back edge, or GRDB
# imported above Store, fails the build.
LAYERS     := --explicit-target-dependency-import-check error

PREFIX     ?= /usr/local

.PHONY: deps venv build release install demo test soak bench protos clean

## deps: install the system libraries the package links, /usr/bin/time, skopeo (the remote bench and
## mirror test), git (provenance), docker-registry (the OCI server the remote tests start on
## loopback with their own config) and headless Chromium with its driver (the browser tests of
## `registry ui`) — only those missing.
## The package's own service (its default config listens on every interface) is disabled.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
		case "$$missing" in *docker-registry*) \
			$$SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true;; esac; \
	fi

## venv: a git-ignored virtualenv with tensorflow-cpu for the interop tests, plus the Python
## package (python/, editable), pytest, and tensorboard (TF 2.21 no longer brings it, and
## tf.summary.scalar needs it; the event-file tests write with it), and tensorflow-serving-api
## for its ModelServerConfig protos (the serving tests parse the config `serving sync` writes
## with them). That package requires `tensorflow`, which would install a second TensorFlow over
## tensorflow-cpu; only its generated protos are used, and they need nothing tensorflow-cpu does
## not bring, so it is installed without dependencies. And Selenium for the browser tests
## (added to a venv made before it was needed).
SELENIUM := selenium==4.50.0
venv: $(VENV)/.ready $(VENV)/.ready-python $(VENV)/.serving-api
	@$(PYTHON) -c "import selenium" 2>/dev/null || $(VENV)/bin/pip install -q --disable-pip-version-check $(SELENIUM)
$(VENV)/.ready:
	@python3 -m venv --help >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check tensorflow-cpu==$(TF_VERSION)
	@touch $@
$(VENV)/.ready-python: $(VENV)/.ready python/pyproject.toml
	$(VENV)/bin/pip install -q --disable-pip-version-check pytest tensorboard==$(TF_VERSION)
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-build-isolation -e python
	@touch $@
$(VENV)/.serving-api: $(VENV)/.ready
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps tensorflow-serving-api==$(TF_VERSION)
	@touch $@

build: deps
	$(SWIFT) build $(LAYERS)

## release: the release build, then a stripped copy of the binary in BIN/stripped/ (what
## `make install` installs) with its symbols beside it in registry.debug (gdb and the
## backtracer find them through the .gnu_debuglink section). SwiftPM's own output is left alone.
release: deps
	$(SWIFT) build $(RELEASE) $(LAYERS)
	@bin="$$($(SWIFT) build $(RELEASE) --show-bin-path)"; mkdir -p "$$bin/stripped" && cd "$$bin/stripped" && \
	objcopy --only-keep-debug ../registry registry.debug && \
	objcopy --strip-all --add-gnu-debuglink=registry.debug ../registry registry && \
	echo "$$bin/stripped/registry: $$(du -h registry | cut -f1) (unstripped $$(du -h ../registry | cut -f1), symbols in registry.debug)"

## install: the stripped binary, its man page and shell completions under PREFIX (default
## /usr/local): bin/registry, share/man/man1/registry.1, bash, zsh and fish completions.
## The man page comes from swift-argument-parser's generate-manual plugin (run on the debug
## build, which `make build` keeps: the text does not depend on the configuration).
install: release
	@set -e; bin="$$($(SWIFT) build $(RELEASE) --show-bin-path)"; \
	$(SWIFT) package plugin generate-manual --configuration debug > /dev/null; \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"; \
	install -m 755 "$$bin/stripped/registry" "$(DESTDIR)$(PREFIX)/bin/registry"; \
	install -m 644 .build/plugins/GenerateManual/outputs/CLI/registry.1 "$(DESTDIR)$(PREFIX)/share/man/man1/registry.1"; \
	"$$bin/stripped/registry" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/registry"; \
	"$$bin/stripped/registry" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_registry"; \
	"$$bin/stripped/registry" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/registry.fish"; \
	echo "installed registry, its man page and completions under $(DESTDIR)$(PREFIX)"

## demo: the main job, end to end (TensorFlow checks run too when .venv-tf exists: make venv).
demo: release
	@bash scripts/demo.sh "$$($(SWIFT) build $(RELEASE) --show-bin-path)/registry" "$(SHARED)" \
		"$$( [ -x $(PYTHON) ] && echo $(PYTHON) )"

## test: every test, including those that ask real TensorFlow: the Swift suites, then the
## Python package's (pytest, against the registry binary swift test built; no bytecode or
## pytest cache is written into the checkout; exit status 5, no tests collected, fails too).
test: deps venv
	REGISTRY_TF_PYTHON=$(PYTHON) REGISTRY_REQUIRE_TF=1 REGISTRY_REQUIRE_OCI=1 REGISTRY_REQUIRE_BROWSER=1 \
		REGISTRY_FIXTURES=$(SHARED)/fixtures/tf2.21 \
		$(SWIFT) test $(LAYERS) 2>&1 | tee .build-test.log; status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status; \
	REGISTRY_BIN="$$($(SWIFT) build --show-bin-path)/registry" REGISTRY_FIXTURES=$(SHARED)/fixtures/tf2.21 PYTHONDONTWRITEBYTECODE=1 \
		$(PYTHON) -m pytest -p no:cacheprovider python/tests 2>&1 | tee -a .build-test.log; status=$${PIPESTATUS[0]}; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests in python/tests" >&2; fi; exit $$status

## soak: the long forms of the reliability tests (crash trials, concurrency, fuzzing, bit rot, link
## swaps during pushes, 65,536 shards).
soak: deps venv
	REGISTRY_SOAK=1 REGISTRY_TF_PYTHON=$(PYTHON) REGISTRY_FIXTURES=$(SHARED)/fixtures/tf2.21 \
		$(SWIFT) test --filter 'CrashSafetyTests|ServingCrashTests|ConcurrencyTests|FuzzTests|BitRotTests|MutationTests|FolderSwapTests|CLISecurityTests' 2>&1 | tee .build-soak.log; exit $${PIPESTATUS[0]}

## bench: one run, one report (release build, ~40 minutes): micro-benchmarks, hashes and the
## training epoch (registry-bench), then push/pull against TensorFlow's save/load and cp + sync,
## stored/raw, training history and `ls` over 10,000 versions (scripts/bench_io.py), then big
## registries: 100,000 and 1,000,000 versions and 64 GiB of tensors (scripts/bench_scale.py;
## BENCH_SCALE="--versions 100000 --gib 8" for a shorter run, BENCH_SCALE=skip to leave it out;
## it needs ~75 GiB free under /tmp and uses less when less is free). The Python is $(PYTHON),
## or $REGISTRY_TF_PYTHON when set; blake3 and xxhash are installed into it for the hash rows.
bench: deps $(if $(REGISTRY_TF_PYTHON),,venv)
	@py="$${REGISTRY_TF_PYTHON:-$(PYTHON)}"; start=$$SECONDS; \
	"$$py" -c "import blake3, xxhash" 2>/dev/null \
		|| "$$py" -m pip install -q --disable-pip-version-check blake3 xxhash || exit 1; \
	$(SWIFT) build $(RELEASE) --quiet || exit 1; \
	bin="$$($(SWIFT) build $(RELEASE) --show-bin-path)"; \
	REGISTRY_TF_PYTHON="$$py" "$$bin/registry-bench" || exit 1; \
	"$$py" scripts/bench_io.py run --registry "$$bin/registry" --bench "$$bin/registry-bench" --shared "$(SHARED)" || exit 1; \
	if [ "$(BENCH_SCALE)" != skip ]; then \
		"$$py" scripts/bench_scale.py --registry "$$bin/registry" --bench "$$bin/registry-bench" --shared "$(SHARED)" $(BENCH_SCALE) || exit 1; \
	fi; \
	echo "make bench: $$((SECONDS - start)) s in all"

## protos: regenerate Sources/Registry/Format/Generated from the .proto files.
protos:
	bash scripts/generate-protos.sh

clean:
	rm -rf .build .build-test.log
