# charnn — the project's front door. `make demo` and `make test` set everything up on a fresh
# machine with Swift 6.3, gcc and Python 3.

SHELL := /bin/bash
SWIFT ?= swift
# Where the names data lives: `make data` fetches it there; DATA=dir points elsewhere.
DATA ?= data/names
DATA_URL ?= https://download.pytorch.org/tutorial/data.zip
DATA_SUMS := tools/names-data.sha256

.PHONY: all build test test-swift demo data check-data clean help bench-micro

all: build

help:
	@echo "make demo    build everything, train the article's models on $(DATA), predict names"
	@echo "make test    build and run every test"
	@echo "make build   release build of the Swift package"
	@echo "make data    fetch the tutorial's names data into data/names (DATA=dir to use another)"
	@echo "make bench-micro  time one op-by-op Elman step (forward + backward)"
	@echo "make clean   remove build products"

build:
	$(SWIFT) build -c release

test: test-swift

# The Swift suites run optimised (training tests take seconds instead of minutes), in their own
# build folder because @testable needs -enable-testing, which the shipped library is built without.
SWIFT_TEST_FLAGS := -c release -Xswiftc -enable-testing --scratch-path .build-tests
test-swift:
	$(SWIFT) build --build-tests $(SWIFT_TEST_FLAGS)
	CHARNN_DATA="$(abspath $(DATA))" $(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

demo: build check-data
	.build/release/charnn-demo "$(DATA)"

# Fetch the tutorial archive unless DATA already holds the 18 verified files.
data:
	@if [ -d "$(DATA)" ] && (cd "$(DATA)" && sha256sum --quiet -c "$(CURDIR)/$(DATA_SUMS)") >/dev/null 2>&1; then \
		echo "data: $(DATA) already holds the 18 verified files"; exit 0; fi; \
	if [ "$(DATA)" != "data/names" ]; then \
		echo "data: $(DATA) does not hold the tutorial's 18 files (checked against $(DATA_SUMS))" >&2; exit 1; fi; \
	command -v curl >/dev/null || { echo "data: curl is needed to fetch $(DATA_URL)" >&2; exit 1; }; \
	command -v unzip >/dev/null || { echo "data: unzip is needed (apt-get install unzip)" >&2; exit 1; }; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "data: fetching $(DATA_URL)"; \
	if ! curl -fsSL --retry 2 --connect-timeout 15 -o "$$tmp/data.zip" "$(DATA_URL)"; then \
		echo "data: cannot download $(DATA_URL)." >&2; \
		echo "      Get data.zip from the PyTorch tutorial 'Classifying Names with a Character-Level RNN'," >&2; \
		echo "      unpack its data/names/ folder into ./data/names, or point the Makefile at a copy: make demo DATA=dir" >&2; \
		exit 1; fi; \
	unzip -q "$$tmp/data.zip" 'data/names/*' -d "$$tmp" && \
	(cd "$$tmp/data/names" && sha256sum --quiet -c "$(CURDIR)/$(DATA_SUMS)") || \
		{ echo "data: the downloaded files do not match $(DATA_SUMS)" >&2; exit 1; }; \
	mkdir -p data && rm -rf data/names && mv "$$tmp/data/names" data/names && \
	echo "data: data/names holds the 18 verified files"

# The demo needs the data: use DATA when it exists, else a copy beside the project
# (../shared/data/names, as CI has), else fetch it.
check-data:
	@if [ ! -d "$(DATA)" ] && [ "$(DATA)" = data/names ] && [ -d ../shared/data/names ]; then \
		echo "data: linking data/names to ../shared/data/names"; mkdir -p data; ln -s ../../shared/data/names data/names; fi
	@[ -d "$(DATA)" ] || $(MAKE) --no-print-directory data

# Micro-benchmarks of the core (never part of `make test`).
bench-micro:
	$(SWIFT) build -c release --product charnn-bench
	.build/release/charnn-bench elman-step

clean:
	rm -rf .build .build-tests
