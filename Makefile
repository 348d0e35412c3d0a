# bsd-carp: BSD CARP on Linux.
#   make          build (debug)
#   make check    install what is missing, build, run every test (unit and namespace; core
#                 namespace tests again on the static release build)
#   make demo     install what is missing, build, show a failover between namespaces
#   make release  optimized build, fully static (fast start, small RSS, nothing to install)
#   make install  install a release build (PREFIX=/usr/local, DESTDIR=; see scripts/install)
#   make bench    failover, scenarios, footprint, firewall beside ucarp and keepalived (bench/RESULTS.md)
#   make fuzz     libFuzzer over every parser of outside input, FUZZ_SECONDS (60) per target
#   make soak     three carpd and a ucarp under random faults for SOAK_SECONDS (600), SOAK_SEED
#   make lint     check the man pages with mandoc, and the modules' imports (scripts/check-arrows)
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build release install check unit integration demo bench fuzz soak lint deps clean

all: build

deps:
	@./scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --static-swift-stdlib

install:
	@test -x .build/release/carpd || { echo "make install: run 'make release' first" >&2; exit 1; }
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" BUILDDIR=.build/release ./scripts/install

unit: build
	$(SWIFT) test

integration: build
	./tests/integration/run

lint: deps
	mandoc -T lint -W warning man/*.[0-9]
	./scripts/check-arrows

# The release binaries (static, what make install ships) run the core namespace tests too.
RELEASE_TESTS = 01-failover 03-bowout 11-openbsd-example 12-cli 14-restart 20-bowout-burst 30-balancing

# make check runs the fuzzers and the soak briefly; make fuzz and make soak for longer
# (doc/fuzzing.md, tests/soak/README.md).
CHECK_FUZZ_SECONDS ?= 10
CHECK_SOAK_SECONDS ?= 60

check: deps
	mandoc -T lint -W warning man/*.[0-9]
	./scripts/check-arrows
	$(SWIFT) build
	$(SWIFT) test
	./tests/integration/run
	$(SWIFT) build -c release --static-swift-stdlib
	CARPD=.build/release/carpd ./tests/integration/run $(RELEASE_TESTS)
	FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) ./fuzz/run
	SOAK_SECONDS=$(CHECK_SOAK_SECONDS) ./tests/soak/soak.py

fuzz: deps
	./fuzz/run

soak: build
	./tests/soak/soak.py

demo: build
	./scripts/demo

bench: release
	@./scripts/install-deps bench
	./bench/failover $(BENCHFLAGS) && ./bench/scenarios $(BENCHFLAGS) && ./bench/footprint $(BENCHFLAGS) \
		&& ./bench/firewall $(BENCHFLAGS) && ./bench/vrrp $(BENCHFLAGS)

clean:
	rm -rf .build
