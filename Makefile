# otelcol-auth0: build, run and test the Auth0 log stream collector distribution.
# `make help` lists the targets. Everything needed is installed into ./bin by the targets
# themselves; only Go 1.26 and make are assumed.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
OCB_VERSION := v0.161.0
BIN_DIR := $(CURDIR)/bin
OCB := $(BIN_DIR)/builder
# The stamp pins ocb: a bin/builder of another version is replaced on the next build.
OCB_STAMP := $(BIN_DIR)/.builder-$(OCB_VERSION)
MDATAGEN := $(BIN_DIR)/mdatagen
# golangci-lint v2.15.0 needs Go >= 1.26.0. Built from source with the local Go, like ocb; the
# stamp replaces a bin/golangci-lint of another version.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := $(BIN_DIR)/golangci-lint
GOLANGCI_LINT_STAMP := $(BIN_DIR)/.golangci-lint-$(GOLANGCI_LINT_VERSION)
# Every Go module that is linted, each in its own directory with the one .golangci.yml
# (internal/tools only pins mdatagen).
LINT_MODULES := . internal/bench deploy/validate receiver/auth0logstream

DIST_NAME := otelcol-auth0
COLLECTOR := $(CURDIR)/_build/$(DIST_NAME)
# Everything the distribution compiles from this repository: when none of it changed since the
# last build, `make build` does nothing.
RECEIVER_SRC := $(shell find receiver -type f -not -name '*_test.go' -not -path '*/testdata/*' 2>/dev/null)

# The race detector needs cgo and a C compiler; without them the tests still run, unraced.
RACE ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && command -v "$$($(GO) env CC)" >/dev/null 2>&1 && echo -race)

FUZZ_TIME ?= 20s
FUZZ_PKGS ?= ./...
DATA_DIR := $(CURDIR)/data

.PHONY: help
help: ## List the targets
	@echo "Targets:"
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-17s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: AUTH0_LOG_STREAM_TOKEN (token for run/send), FUZZ_TIME (per fuzz target, now $(FUZZ_TIME)), SOAK_DURATION (make soak, now $(SOAK_DURATION))"

.PHONY: build
build: $(COLLECTOR) ## Build the collector with ocb into _build/ (incremental)

$(OCB_STAMP):
	@mkdir -p $(BIN_DIR)
	GOBIN=$(BIN_DIR) $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)
	@rm -f $(BIN_DIR)/.builder-*
	@touch $@

# ocb resolves the receiver's relative `path:` against its working directory; make runs recipes
# in the repository root even with `make -C`, which is what builder-config.yaml expects.
$(COLLECTOR): builder-config.yaml go.mod go.sum $(RECEIVER_SRC) $(OCB_STAMP)
	$(OCB) --config builder-config.yaml
	@touch $@

.PHONY: run
run: build ## Start a local OTLP sink and the collector; POST Auth0 events to it (Ctrl-C stops both)
	@mkdir -p $(DATA_DIR)/queue
	OTELCOL_BINARY=$(COLLECTOR) ./internal/run/run.sh

.PHONY: send
send: ## POST the sample payloads in testdata/ (all three formats) to a running `make run`
	./internal/run/send.sh

.PHONY: test
test: build lint ## Everything CI runs: unit and race tests, a short fuzz pass, deploy checks, e2e, reliability, fleet
	@[ -n "$(RACE)" ] || echo "warning: no C compiler for cgo, running the tests without -race"
	cd receiver/auth0logstream && $(GO) test $(RACE) -count=1 ./...
	@# The root module's unit tests. Its system suites (internal/e2e, internal/reliability,
	@# internal/fleet) skip here without OTELCOL_BINARY; their own targets below run them.
	env -u OTELCOL_BINARY $(GO) test $(RACE) -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	cd deploy/validate && OTELCOL_BINARY=$(COLLECTOR) $(GO) test -count=1 ./...
	cd internal/bench && $(GO) test -count=1 ./...
	$(MAKE) --no-print-directory test-e2e test-reliability test-pull-system test-browser
	@# CI installs nginx and requires the fleet test; elsewhere it skips without nginx.
	$(MAKE) --no-print-directory test-fleet FLEET_REQUIRED=$${CI:+1}

.PHONY: test-e2e
test-e2e: build ## End-to-end tests: the built collector and a sink as real processes
	OTELCOL_BINARY=$(COLLECTOR) $(GO) test $(RACE) -count=1 -timeout 5m ./internal/e2e/...

.PHONY: test-reliability
test-reliability: build ## Delivery guarantees with real processes: kill -9, outage, memory pressure, retries, SIGTERM
	OTELCOL_BINARY=$(COLLECTOR) $(GO) test $(RACE) -count=1 -timeout 8m -v ./internal/reliability/...

.PHONY: test-pull-system
test-pull-system: build ## Pull mode with real processes: 20,000-event backfill with kill -9, persisted dedup window, push+pull overlap
	OTELCOL_BINARY=$(COLLECTOR) $(GO) test $(RACE) -count=1 -timeout 8m -v ./internal/pullsystem/...

AUTH0EMU := $(BIN_DIR)/auth0emu

.PHONY: run-pull
run-pull: build ## Start the Management API emulator, a local sink and a pull-only collector (Ctrl-C stops all three)
	$(GO) build -o $(AUTH0EMU) ./cmd/auth0emu
	OTELCOL_BINARY=$(COLLECTOR) AUTH0EMU_BINARY=$(AUTH0EMU) ./internal/run/run-pull.sh

.PHONY: bench-pull
bench-pull: ## Backfill events/s of pull mode against the emulator, beside the page_size x requests/s ceiling (about 1 minute)
	$(GO) test -run '^$$' -bench Backfill -benchtime 2x ./internal/pulltest

# The inspector page in headless Chromium (Debian's `chromium`; about 5 s once built). CI installs
# it and requires the test; elsewhere it skips without it. SCREENSHOT=docs/inspector.png refreshes
# the README's screenshot.
.PHONY: test-browser
test-browser: ## The request inspector's page in headless Chromium (needs the chromium package)
	BROWSER_REQUIRED=$${CI:+1} SCREENSHOT=$(SCREENSHOT) $(GO) test -count=1 -timeout 3m -v ./internal/browser/

# Runs every Fuzz* target the receiver packages define, each for FUZZ_TIME; -fuzz accepts one
# package and one target at a time.
.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZ_TIME (e.g. make fuzz FUZZ_TIME=10m)
	@cd receiver/auth0logstream && for pkg in $$($(GO) list $(FUZZ_PKGS)); do \
		for target in $$($(GO) test -list '^Fuzz' "$$pkg" | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$target for $(FUZZ_TIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZ_TIME) "$$pkg"; \
		done; \
	done

.PHONY: generate
generate: ## Build bin/mdatagen from internal/tools and regenerate the receiver's metadata code
	cd internal/tools && $(GO) build -o $(MDATAGEN) go.opentelemetry.io/collector/cmd/mdatagen
	cd receiver/auth0logstream && $(GO) generate ./...

$(GOLANGCI_LINT_STAMP):
	@mkdir -p $(BIN_DIR)
	GOBIN=$(BIN_DIR) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@rm -f $(BIN_DIR)/.golangci-lint-*
	@touch $@

# Every module is checked even when an earlier one fails, so one run lists every finding.
.PHONY: lint
lint: $(GOLANGCI_LINT_STAMP) ## go vet, a gofmt check and golangci-lint (.golangci.yml) in every module
	@failed=; \
	unformatted=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './_build/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed on:"; echo "$$unformatted"; failed=" gofmt"; else echo "gofmt: ok"; fi; \
	for mod in $(LINT_MODULES); do \
		echo "== go vet and golangci-lint in $$mod"; \
		(cd $$mod && $(GO) vet ./... && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...) || failed="$$failed $$mod"; \
	done; \
	if [ -n "$$failed" ]; then echo "lint failed:$$failed"; exit 1; fi

# FLEET_REQUIRED=1 fails the test when nginx is missing; `make test` sets it only in CI.
FLEET_REQUIRED ?= 1

.PHONY: test-fleet
test-fleet: build ## Fleet test: 3 replicas behind nginx, one killed with -9 and restarted (about 1 min; needs nginx)
	OTELCOL_BINARY=$(COLLECTOR) FLEET_REQUIRED=$(FLEET_REQUIRED) $(GO) test -count=1 -timeout 6m -v ./internal/fleet/

# The receiver and its baselines alternate within each of the three runs, so each ratio
# compares measurements taken seconds apart (-count 3 would run one benchmark's samples
# back to back, minutes away from its baseline's).
.PHONY: bench
bench: ## In-process decode+translate benchmarks against pdata's OTLP decoders, printed as ratios
	for i in 1 2 3; do (cd receiver/auth0logstream && \
		$(GO) test -run '^$$' -bench . -benchmem -count 1 ./internal/translator && \
		$(GO) test -run '^$$' -bench 'Enrich' -benchmem -count 1 .); done \
		| $(GO) run ./internal/benchreport

# BASE is any git revision; each round runs BASE's benchmarks, then the working tree's.
BASE ?= HEAD
.PHONY: bench-compare
bench-compare: ## Decode benchmarks of BASE (git revision) and the working tree, interleaved, compared by benchstat
	OUT_DIR=$(CURDIR)/docs/bench ./internal/benchreport/compare.sh $(BASE) 5

.PHONY: bench-e2e
bench-e2e: build ## End-to-end benchmark of the built collector vs the otlp receiver; writes docs/bench/
	cd internal/bench && $(GO) run ./cmd/e2e -collector $(COLLECTOR) -config collector.yaml -out $(CURDIR)/docs/bench

# The soak test runs SOAK_DURATION at half the measured maximum and writes docs/soak/; it is
# not part of `make test`. SOAK_INTERVAL (default: 1m, or 1/30 of a shorter run) and SOAK_RATE
# (events/s; default: measure the maximum first and drive half) are read by the test too.
SOAK_DURATION ?= 60m
SOAK_TIMEOUT ?= 3h

.PHONY: soak
soak: build ## Soak: SOAK_DURATION (default 60m) of steady load, nothing may grow; writes docs/soak/ (make soak SOAK_DURATION=5m)
	OTELCOL_BINARY=$(COLLECTOR) SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -timeout $(SOAK_TIMEOUT) -run '^TestSoak$$' -v ./internal/soak/

.PHONY: clean
clean: ## Remove _build/, bin/ and data/ (the local queue and sink output)
	rm -rf _build bin data
