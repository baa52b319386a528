# rstscope front door. `make demo` and `make test` do everything on a fresh Debian 12 machine.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# Debian 12 packages the build, the tests and the demo need (docs/development.md says why each).
DEB_PACKAGES := build-essential cmake ninja-build pkg-config ccache \
  libre2-dev libsimdjson-dev libsqlitecpp-dev libsqlite3-dev sqlite3 libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libarchive-dev libfmt-dev libtomlplusplus-dev \
  libhowardhinnant-date-dev libssl-dev zlib1g-dev libzstd-dev \
  nginx haproxy stunnel4 curl python3 python3-requests iptables iproute2 hyperfine time \
  chromium gzip bzip2 xz-utils zstd zip

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build build-asan demo test test-fast bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "make deps: all $(words $(DEB_PACKAGES)) packages present"; fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRSTSCOPE_SANITIZE=ON $(CMAKE_FLAGS)

build-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# keepalive-mismatch in full, then one line per finding of each other sample (their full reports
# are written beside: $(BUILD)/demo-NAME.html).
DEMO_MORE := tls-floor mixed-day
demo: build
	cd samples && ../$(BUILD)/rstscope analyze keepalive-mismatch -o ../$(BUILD)/demo.db --force --html ../$(BUILD)/demo.html
	@for s in $(DEMO_MORE); do \
	  echo; echo "== samples/$$s: one line per finding (full report: $(BUILD)/demo-$$s.html)"; \
	  (cd samples && ../$(BUILD)/rstscope -q analyze $$s -o ../$(BUILD)/demo-$$s.db --force \
	     --html ../$(BUILD)/demo-$$s.html > /dev/null) || exit 1; \
	  $(BUILD)/rstscope query $(BUILD)/demo-$$s.db "SELECT count AS n, cause_class AS class, endpoint, rule \
	    FROM findings ORDER BY count DESC, first_ts, id" || exit 1; \
	done

# The whole suite, then again under AddressSanitizer + UBSan.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE no-asan

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
