# vigil - front door.  `make` builds, `make demo` shows it, `make check` tests everything.
# Each target installs the Debian packages it needs first (scripts/install-deps.sh).
BUILD     ?= build
ASAN_BUILD ?= build-asan
PREFIX    ?= /usr/local
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps deps-test configure build demo check check-unit check-asan bench install clean help

all: build

help:
	@echo "make            install missing packages, build into $(BUILD)/"
	@echo "make demo       build, run examples/demo under 'vigil run', print its report"
	@echo "make check      build and run every test (CTest), then the ASan/UBSan suite"
	@echo "make bench      run the benchmarks in bench/ (figures in README.md)"
	@echo "make install PREFIX=/usr/local"

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@examples/demo.sh $(BUILD)

check-unit: deps-test configure
	@cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j 2

check-asan: deps-test
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j 2 -LE no-asan

check: check-unit check-asan

bench: build
	@bench/run.sh $(BUILD)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
