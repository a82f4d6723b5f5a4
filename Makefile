# charnn — the project's front door. `make demo` and `make test` set everything up on a fresh
# machine with Swift 6.3, gcc and Python 3.

SHELL := /bin/bash
SWIFT ?= swift
# Where the names data lives: `make data` fetches it there; DATA=dir points elsewhere.
DATA ?= data/names
DATA_URL ?= https://download.pytorch.org/tutorial/data.zip
DATA_SUMS := tools/names-data.sha256

VERSION := $(shell sed -n 's/^\#define CHARNN_VERSION_STRING "\(.*\)"/\1/p' include/charnn.h)
PREFIX ?= /usr/local
BUILD := build
# `make install` into the build tree: what the examples and the C tests compile and link against.
STAGE := $(abspath $(BUILD)/stage)
# The Python virtual environment the Python tests, the linters and the benchmarks run in.
VENV := $(BUILD)/venv
CC ?= cc
CFLAGS_EXAMPLES := -std=c11 -O2 -Wall -Wextra -Werror
# libcharnn.so is a small dispatcher in front of two builds of the core, one chosen per process by
# the CPU: libcharnn-x86-64-v3.so (AVX2 + FMA) and libcharnn-portable.so (any x86-64; arm64 has
# only this one). tools/build_lib.sh builds the three into build/lib; they are installed together.
LIB_DIR := $(BUILD)/lib
ifeq ($(shell uname -m),x86_64)
CPU_VARIANTS := portable x86-64-v3
else
CPU_VARIANTS := portable
endif
LIB_FILES := libcharnn.so $(foreach variant,$(CPU_VARIANTS),libcharnn-$(variant).so)

.PHONY: all build lib install stage examples python venv lint format test test-swift test-c test-c-kernels test-cli test-python test-qemu demo data check-data clean \
	help bench bench-build bench-deps bench-quick bench-micro bench-threshold bench-contention bench-scale bench-recipes bench-dispatch bench-onnx bench-quantization fuzz fuzz-build fuzz-smoke test-sanitize

all: lib examples

# Every target a user runs carries a `## what it does` note; `make help` lists them all.
help: ## this list
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN { FS = ":.*## " } { printf "  make %-20s %s\n", $$1, $$2 }'

build: ## release build of the Swift package (the portable core)
	$(SWIFT) build -c release

# build/lib: libcharnn.so, the dispatcher, and one build of the Swift core (Swift runtime linked
# in) per variant, each in its own scratch path (.build for portable, .build-x86-64-v3).
lib: ## build/lib: libcharnn.so (the dispatcher) and the builds of the core it loads
	SWIFT="$(SWIFT)" CC="$(CC)" CHARNN_VARIANTS="$(CPU_VARIANTS)" tools/build_lib.sh

# Installs the library (libcharnn.so and the builds it loads, side by side in PREFIX/lib), the
# header, charnn.pc (pkg-config), the valgrind suppressions for programs using the library
# (PREFIX/share/charnn/charnn.supp: README.md) and the charnn command-line tool (bin/charnn, finding the
# library through an rpath to PREFIX/lib) under PREFIX.
install: lib ## install the library, charnn.h, charnn.pc, charnn.supp and the charnn tool under PREFIX
	install -d "$(PREFIX)/lib/pkgconfig" "$(PREFIX)/include" "$(PREFIX)/bin"
	for file in $(LIB_FILES); do install -m 0755 $(LIB_DIR)/$$file "$(PREFIX)/lib/$$file" && \
		strip --strip-unneeded "$(PREFIX)/lib/$$file" || exit 1; done
	install -m 0644 include/charnn.h "$(PREFIX)/include/charnn.h"
	install -d "$(PREFIX)/share/charnn"
	install -m 0644 valgrind/charnn.supp "$(PREFIX)/share/charnn/charnn.supp"
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/charnn.pc.in > "$(PREFIX)/lib/pkgconfig/charnn.pc"
	$(CC) -std=c11 -O2 -I"$(PREFIX)/include" examples/c/charnn.c -L"$(PREFIX)/lib" -lcharnn -lm \
		-Wl,-rpath,"$(PREFIX)/lib" -o "$(PREFIX)/bin/charnn"

stage: ## make install into build/stage (what the examples and C tests use)
	@$(MAKE) --no-print-directory install PREFIX=$(STAGE) >/dev/null

# The C programs, compiled strictly against the installed header and library.
examples: stage ## the C example programs and the charnn tool in build/bin
	@mkdir -p $(BUILD)/bin
	for example in names elman_from_scratch charnn; do \
		$(CC) $(CFLAGS_EXAMPLES) -I$(STAGE)/include examples/c/$$example.c -L$(STAGE)/lib -lcharnn -lm \
			-Wl,-rpath,$(STAGE)/lib -o $(BUILD)/bin/$$example || exit 1; done

test: lint check-data test-swift test-swift-consumer examples-swift test-c test-cli test-python fuzz-smoke test-qemu ## build and run every test

# Formatting and the 120-column limit: swift-format (.swift-format; generated tables opt out) and
# ruff (ruff.toml: its formatter's layout plus pyflakes). `make format` rewrites what lint rejects.
SWIFT_FORMAT_PATHS := Sources Tests/CharNNTests Tests/SwiftConsumer bench/swift examples/swift Package.swift
RUFF := $(VENV)/bin/ruff
lint: ## swift-format and ruff: formatting, the line-length limit, pyflakes
	$(SWIFT) format lint --strict --recursive --parallel --configuration .swift-format $(SWIFT_FORMAT_PATHS)
	@[ -x $(RUFF) ] || { [ -x $(VENV)/bin/python ] || python3 -m venv --system-site-packages $(VENV); \
		$(VENV)/bin/python -m pip install -q ruff; }
	$(RUFF) format --check --quiet .
	$(RUFF) check --quiet .

format: ## rewrite the sources as make lint wants them
	$(SWIFT) format --in-place --recursive --parallel --configuration .swift-format $(SWIFT_FORMAT_PATHS)
	@[ -x $(RUFF) ] || $(MAKE) --no-print-directory lint
	$(RUFF) format --quiet .

# The Swift suites run optimised (training tests take seconds instead of minutes), in their own
# build folder because @testable needs -enable-testing, which the shipped library is built without.
# Only the test bundle and what it imports are built there (not the C exports or the benchmarks).
SWIFT_TEST_FLAGS := -c release -Xswiftc -enable-testing --scratch-path .build-tests
test-swift: check-data ## the Swift suites (optimised)
	$(SWIFT) build --product charnnPackageTests $(SWIFT_TEST_FLAGS)
	CHARNN_DATA="$(abspath $(DATA))" $(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

# charnn as another Swift package uses it: by version (a snapshot of the working tree, committed
# to a temporary repository and tagged with charnn.h's version), trained, evaluated, saved and
# loaded through `import CharNN`; and a check that package-level declarations stay out of reach.
.PHONY: test-swift-consumer examples-swift
test-swift-consumer: ## a package depending on charnn by version from a tagged snapshot
	SWIFT="$(SWIFT)" tools/test-swift-consumer.sh

# examples/swift: the names example as a Swift app (its own package, depending on this one by
# path), built in release and run for EPOCHS_SWIFT epochs of a small GRU on $(DATA).
EPOCHS_SWIFT ?= 3
examples-swift: check-data ## build and run examples/swift on DATA for EPOCHS_SWIFT epochs
	@mkdir -p $(BUILD)
	$(SWIFT) build -c release --package-path examples/swift
	cd examples/swift && $(SWIFT) run -c release --skip-build charnn-names "$(abspath $(DATA))" \
		"$(abspath $(BUILD))/names-swift.safetensors" $(EPOCHS_SWIFT)

# The C ABI: every function and error path (under valgrind when present), on the build the
# dispatcher picks for this CPU and again on the portable one (CHARNN_CPU=portable), with the same
# tolerances; the dispatcher's choices and failures; every defined dynamic symbol of all three
# libraries against the header's functions; the installed pkg-config file; and a C client under
# valgrind with the flags and suppressions README.md gives users (Tests/CABI/test_valgrind.sh).
ABI_TEST_SOURCES := Tests/CABI/main.c Tests/CABI/test_datasets.c Tests/CABI/test_models.c Tests/CABI/test_lowlevel.c \
	Tests/CABI/test_faults.c Tests/CABI/test_text.c Tests/CABI/test_metrics.c Tests/CABI/test_training.c \
	Tests/CABI/test_options.c Tests/CABI/test_dispatch.c Tests/CABI/test_limits.c Tests/CABI/test_quantize.c
test-c: examples check-data test-c-kernels ## the C ABI tests on both builds (+ valgrind), exports, pkg-config, the dispatcher
	$(CC) $(CFLAGS_EXAMPLES) -g -I$(STAGE)/include $(ABI_TEST_SOURCES) \
		-L$(STAGE)/lib -lcharnn -lpthread -lm -Wl,-rpath,$(STAGE)/lib -o $(BUILD)/bin/abi_test
	$(CC) $(CFLAGS_EXAMPLES) -I$(STAGE)/include Tests/CABI/dispatch_probe.c -L$(STAGE)/lib -lcharnn -o $(BUILD)/bin/dispatch_probe
	$(CC) $(CFLAGS_EXAMPLES) -g -I$(STAGE)/include Tests/CABI/valgrind_client.c -L$(STAGE)/lib -lcharnn \
		-Wl,-rpath,$(STAGE)/lib -o $(BUILD)/bin/valgrind_client
	for file in $(LIB_FILES); do python3 Tests/CABI/check_exports.py include/charnn.h $(STAGE)/lib/$$file || exit 1; done
	PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig Tests/CABI/check_pkgconfig.sh $(STAGE)
	python3 Tests/CABI/test_gen_dispatch.py "$(CC)"
	Tests/CABI/test_dispatch.sh $(STAGE)/lib $(BUILD)/bin/dispatch_probe
	CHARNN_DATA="$(abspath $(DATA))" $(BUILD)/bin/abi_test
	@echo "abi_test with CHARNN_CPU=portable"
	CHARNN_CPU=portable CHARNN_TEST_EXPECT_VARIANT=portable CHARNN_DATA="$(abspath $(DATA))" $(BUILD)/bin/abi_test
	@if command -v valgrind >/dev/null; then \
		echo "abi_test under valgrind"; \
		CHARNN_DATA="$(abspath $(DATA))" CHARNN_TEST_QUICK=1 valgrind --quiet --error-exitcode=3 --leak-check=full \
			--suppressions=valgrind/charnn.supp \
			--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect $(BUILD)/bin/abi_test; \
	else echo "valgrind not installed: abi_test ran without it (apt-get install valgrind)"; fi
	Tests/CABI/test_valgrind.sh $(STAGE) $(BUILD)/bin/valgrind_client

# The int8 kernels (Sources/CCharNNKernels) compiled into one program three times, their functions
# renamed per build: for x86-64-v3 (the AVX2 path; run only on a CPU with AVX2), for the baseline
# (SSE2 on x86-64, plain C elsewhere) and as plain C; against a reference and each other, bit for bit.
# -ffp-contract=off: GCC ignores qgemm.c's FP_CONTRACT pragma (clang, SwiftPM's compiler, obeys it).
Q8_SOURCE := Sources/CCharNNKernels/qgemm.c
Q8_CFLAGS := -std=c99 -O2 -ffp-contract=off -Wall -Wextra -Werror -ISources/CCharNNKernels/include
q8_rename = $(foreach f,padded quantize_rows gemm_nt kernel_name packed_size pack gemm_packed,-Dcharnn_q8_$(f)=$(1)_q8_$(f))
test-c-kernels: ## the int8 kernels' C test (both builds, bit-identical)
	@mkdir -p $(BUILD)/bin $(BUILD)/obj
	$(CC) $(Q8_CFLAGS) $(call q8_rename,port) -c $(Q8_SOURCE) -o $(BUILD)/obj/qgemm_port.o
	$(CC) $(Q8_CFLAGS) -DCHARNN_Q8_PLAIN_C $(call q8_rename,plain) -c $(Q8_SOURCE) -o $(BUILD)/obj/qgemm_plain.o
ifeq ($(shell uname -m),x86_64)
	$(CC) $(Q8_CFLAGS) -march=x86-64-v3 $(call q8_rename,v3) -c $(Q8_SOURCE) -o $(BUILD)/obj/qgemm_v3.o
	$(CC) $(Q8_CFLAGS) Tests/CKernels/test_q8.c $(BUILD)/obj/qgemm_port.o $(BUILD)/obj/qgemm_plain.o $(BUILD)/obj/qgemm_v3.o -lm -o $(BUILD)/bin/test_q8
else
	$(CC) $(Q8_CFLAGS) Tests/CKernels/test_q8.c $(BUILD)/obj/qgemm_port.o $(BUILD)/obj/qgemm_plain.o -lm -o $(BUILD)/bin/test_q8
endif
	$(BUILD)/bin/test_q8

# The charnn command-line tool: every verb, its flags, exit codes and output formats, on small
# data sets made on the spot (and one quick run on $(DATA) when it exists).
test-cli: examples check-data ## the charnn tool's tests
	CHARNN="$(abspath $(BUILD)/bin/charnn)" CHARNN_DATA="$(abspath $(DATA))" Tests/CLI/test_cli.sh

# The Python package with the library inside it: a shortcut, since `pip install ./bindings/python`
# builds the library (the same tools/build_lib.sh) and copies its files into the wheel when the
# package has none.
python: lib ## copy the library into bindings/python/charnn (pip install ./bindings/python builds it itself)
	for file in $(LIB_FILES); do install -m 0755 $(LIB_DIR)/$$file bindings/python/charnn/$$file && \
		strip --strip-unneeded bindings/python/charnn/$$file || exit 1; done

# pytest in a virtual environment under build/: the package installed as a user would, plus
# numpy, tqdm and matplotlib when they can be installed (their tests are skipped otherwise).
# build/venv: a virtual environment with the package installed as a user would (what the Python
# tests and the benchmarks run in).
venv: python ## build/venv with the package installed as a user would
	@[ -x $(VENV)/bin/python ] || python3 -m venv --system-site-packages $(VENV) || \
		{ echo "venv: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
	$(VENV)/bin/python -m pip install -q --force-reinstall --no-deps ./bindings/python

test-python: venv check-data ## pytest and mypy --strict in build/venv
	@$(VENV)/bin/python -c "import pytest" 2>/dev/null || $(VENV)/bin/python -m pip install -q pytest
	@$(VENV)/bin/python -m pip install -q numpy tqdm matplotlib pandas 2>/dev/null || \
		echo "test-python: numpy/tqdm/matplotlib/pandas could not be installed; their tests are skipped"
	@$(VENV)/bin/python -m pip install -q scikit-learn 2>/dev/null || \
		echo "test-python: scikit-learn could not be installed; the metric comparisons and the estimator's sklearn tests are skipped"
	@$(VENV)/bin/python -c "import mypy" 2>/dev/null || $(VENV)/bin/python -m pip install -q mypy 2>/dev/null || \
		echo "test-python: mypy could not be installed; the type check is skipped"
	@if $(VENV)/bin/python -c "import mypy" 2>/dev/null; then \
		echo "mypy --strict bindings/python/charnn examples/python"; \
		MYPYPATH=bindings/python $(VENV)/bin/python -m mypy --strict --cache-dir $(BUILD)/mypy-cache \
			bindings/python/charnn examples/python; fi
	cd bindings/python/tests && CHARNN_DATA="$(abspath $(DATA))" ../../../$(VENV)/bin/python -m pytest -q -p no:cacheprovider .

# No illegal instruction on an older CPU: the names example trains a small model and predicts
# under qemu-x86_64 -cpu Nehalem (SSE4.2, no AVX), where the dispatcher must pick the portable
# build; forcing CHARNN_CPU=x86-64-v3 there must be refused cleanly; and the x86-64-v3 build
# loaded directly must die of SIGILL (the check can fail). Installs Debian's qemu-user when
# missing (as root or with sudo); skipped with a message where it cannot run.
QEMU_CPU ?= Nehalem
test-qemu: examples ## the names example under qemu-x86_64 -cpu Nehalem: portable build, no SIGILL
	Tests/CABI/test_qemu.sh "$(STAGE)" "$(abspath $(BUILD)/bin)" "$(DATA)" "$(QEMU_CPU)"

# The main job: the article's two models trained on the names data, then its example names.
DEMO_NAMES := Mike Qin Slaveya Jake Fernando Demirkan
demo: examples check-data ## build everything, train the article's models on DATA, predict its names
	@echo "== Elman cell (the article's MyRNN): 2 epochs, batch 1, Adam lr 1e-3, clip 1 =="
	$(BUILD)/bin/names train "$(DATA)" --model elman --out $(BUILD)/elman.safetensors
	$(BUILD)/bin/names predict $(BUILD)/elman.safetensors $(DEMO_NAMES)
	@echo "== 2-layer GRU: 2 epochs, batch 1, Adam lr 1e-3 =="
	$(BUILD)/bin/names train "$(DATA)" --model gru --out $(BUILD)/gru.safetensors
	$(BUILD)/bin/names predict $(BUILD)/gru.safetensors $(DEMO_NAMES)

# The names data (tools/fetch_data.sh): `make data` insists on the tutorial's 18 verified files;
# `check-data`, which every job reading DATA runs first, takes an existing DATA as it is, links
# data/names to ../shared/data/names when that is beside the project (as CI has), else fetches.
data: ## fetch and verify the tutorial's names data into data/names
	DATA="$(DATA)" DATA_URL="$(DATA_URL)" tools/fetch_data.sh --verify

check-data: ## DATA, linked from ../shared or fetched when missing
	@DATA="$(DATA)" DATA_URL="$(DATA_URL)" tools/fetch_data.sh

# The benchmark suite against PyTorch (never part of `make test`): see bench/README.md.
# `make bench-deps` installs torch into build/venv; without it the charnn side runs alone.
bench-build: examples ## the benchmark program build/bin/charnn_bench
	$(CC) $(CFLAGS_EXAMPLES) -I$(STAGE)/include bench/charnn_bench.c -L$(STAGE)/lib -lcharnn -Wl,-rpath,$(STAGE)/lib \
		-o $(BUILD)/bin/charnn_bench

bench-deps: venv ## install torch (and onnxruntime for bench-onnx) into build/venv for make bench
	$(VENV)/bin/python -m pip install -q torch numpy safetensors onnxruntime onnx onnxscript
	@$(VENV)/bin/python -c "import torch, onnxruntime; print('bench-deps: torch', torch.__version__, \
		'onnxruntime', onnxruntime.__version__)"

# charnn against ONNX Runtime for inference, on the trained GRU of `make demo` (build/gru.safetensors):
# single names, batches of 128, ORT's int8, a stream of WORDS lines (bench/README.md).
bench-onnx: examples venv check-data ## charnn against ONNX Runtime for inference (same run; bench-deps first)
	$(VENV)/bin/python bench/onnx_runtime.py --data "$(DATA)" --words "$(WORDS)" $(BENCH_FLAGS)

bench-quantization: examples venv check-data ## int8 models against their float originals: test accuracy, size, speed
	$(VENV)/bin/python bench/quantization.py --names "$(DATA)" --words "$(WORDS)" $(BENCH_FLAGS)

# The recipes against fastText (fasttext-wheel, installed into build/venv) on the names and
# words data, alternating rounds; one JSON line per run and a table of medians.
bench-recipes: examples venv check-data ## charnn train --recipe fast|best against fastText on names and words (same run)
	@$(VENV)/bin/python -c "import fasttext" 2>/dev/null || $(VENV)/bin/python -m pip install -q fasttext-wheel numpy
	$(VENV)/bin/python bench/recipes.py --data "$(DATA)" $(WORDS) $(BENCH_FLAGS)

bench: bench-build venv check-data ## the benchmark suite against PyTorch (bench/README.md)
	$(VENV)/bin/python bench/run.py --data "$(DATA)" --python $(VENV)/bin/python $(BENCH_FLAGS)

bench-quick: ## make bench with --quick
	@$(MAKE) --no-print-directory bench BENCH_FLAGS=--quick

# Fuzzing (libFuzzer, from the Swift toolchain's clang) against the C ABI. `make fuzz` builds a
# copy of the library with coverage and AddressSanitizer and runs each harness for FUZZ_SECONDS;
# `make test` runs a short smoke pass over the committed corpus against the regular library.
FUZZ_CC ?= clang
FUZZERS := checkpoint dataset predict api delimited
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_BUILD := .build-fuzz/release

fuzz-build: ## the libFuzzer harnesses against an instrumented library
	CHARNN_CPU=portable $(SWIFT) build -c release --product charnn --scratch-path .build-fuzz \
		-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp

fuzz: fuzz-build ## each libFuzzer harness for FUZZ_SECONDS (default 60)
	FUZZERS="$(FUZZERS)" FUZZ_CC="$(FUZZ_CC)" FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh full $(abspath $(FUZZ_BUILD)) $(BUILD)/fuzz

# The smoke pass of `make test`: every committed seed and regression, then FUZZ_SMOKE_RUNS
# mutations each, against the regular library (harnesses with AddressSanitizer).
fuzz-smoke: stage ## the fuzz corpus and FUZZ_SMOKE_RUNS mutations per harness (part of make test)
	FUZZERS="$(FUZZERS)" FUZZ_CC="$(FUZZ_CC)" FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) tools/fuzz.sh smoke $(STAGE)/lib $(BUILD)/fuzz-smoke

# Sanitizers: the Swift suites under AddressSanitizer and ThreadSanitizer; the C ABI test and the
# C examples under ASan + UBSan, and the names example under valgrind. Run before each release
# (about 10 minutes); `make test` runs the C ABI test under valgrind. Valgrind runs one thread
# (it runs one thread at a time anyway, slowly) on a tenth of the names.
test-sanitize: examples check-data ## Swift tests under ASan/TSan, C tests and examples under ASan/UBSan and valgrind
	SWIFT="$(SWIFT)" FUZZ_CC="$(FUZZ_CC)" DEMO_NAMES="$(DEMO_NAMES)" tools/sanitize.sh $(STAGE) $(abspath $(BUILD)) "$(abspath $(DATA))"

# Where a team of threads starts to pay on this machine (ParallelPolicy.teamMinimumStepWork),
# and the contention case: the default thread count next to busy processes (bench/README.md).
bench-threshold: check-data ## where two threads start to pay (the pool's team threshold)
	CHARNN_CPU=$(BENCH_CPU) $(SWIFT) build -c release --product charnn-bench --scratch-path $(BENCH_SCRATCH)
	CHARNN_BENCH_BIN=$(BENCH_SCRATCH)/release/charnn-bench python3 bench/threshold.py --data "$(DATA)"

bench-contention: bench-build venv check-data ## the default thread count next to busy processes, against one thread
	$(VENV)/bin/python bench/contention.py --data "$(DATA)" --python $(VENV)/bin/python $(BENCH_FLAGS)

# A million generated rows (126 classes, 12 scripts, from the words data): load, encode and
# split time and memory, then a training epoch and evaluation (bench/scale.py).
WORDS ?= ../shared/data/words
bench-scale: venv ## a million generated rows: load, encode, split, train and predict
	$(VENV)/bin/python bench/scale.py --words "$(WORDS)" $(BENCH_FLAGS)

# The dispatcher's cost on the fast path (libcharnn.so against libcharnn-x86-64-v3.so loaded
# directly) and the portable build's, alternating one-thread runs (bench/dispatch.py).
bench-dispatch: examples check-data ## what the CPU dispatcher costs on the fast path; portable against x86-64-v3
	$(CC) $(CFLAGS_EXAMPLES) -I$(STAGE)/include bench/dispatch_bench.c -ldl -o $(BUILD)/bin/dispatch_bench
	python3 bench/dispatch.py --bench $(BUILD)/bin/dispatch_bench --lib $(STAGE)/lib --data "$(DATA)" $(BENCH_FLAGS)

# Micro-benchmarks of the core (never part of `make test`), built like the library variant the
# dispatcher picks on this machine (x86-64-v3 on x86-64; BENCH_CPU=portable for the other one).
BENCH_CPU ?= $(lastword $(CPU_VARIANTS))
BENCH_SCRATCH := $(if $(filter portable,$(BENCH_CPU)),.build,.build-$(BENCH_CPU))
bench-micro: ## micro-benchmarks of the core (an Elman step, Adam, a GEMM, int8 against fp32 GEMM)
	CHARNN_CPU=$(BENCH_CPU) $(SWIFT) build -c release --product charnn-bench --scratch-path $(BENCH_SCRATCH)
	$(BENCH_SCRATCH)/release/charnn-bench elman-step
	$(BENCH_SCRATCH)/release/charnn-bench adam
	$(BENCH_SCRATCH)/release/charnn-bench gemm 64 768 256
	$(BENCH_SCRATCH)/release/charnn-bench qgemm

clean: ## remove build products
	rm -rf .build .build-x86-64-v3 .build-tests .build-fuzz .build-asan .build-tsan $(BUILD)
