# bsd-carp: BSD CARP on Linux.
#   make          build (debug)
#   make check    install what is missing, build, run every test (unit and namespace)
#   make demo     install what is missing, build, show a failover between namespaces
#   make release  optimized build
SWIFT ?= swift

.PHONY: all build release check unit integration demo bench deps clean

all: build

deps:
	@./scripts/install-deps

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

unit: build
	$(SWIFT) test

integration: build
	./tests/integration/run

check: deps
	$(SWIFT) build
	$(SWIFT) test
	./tests/integration/run

demo: build
	./scripts/demo

bench: build
	./bench/failover

clean:
	rm -rf .build
