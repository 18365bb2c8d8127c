# OrderCore: `make run` builds and opens the admin shell on ./ordercore.db; `make test` runs every test.
# Both install what is missing first (Debian/Ubuntu packages, Python test tools).

PREFIX  ?= /usr/local
DB      ?= ordercore.db
SWIFT   ?= swift
PYTHON  ?= python3
CC      ?= cc
CXX     ?= c++

DIST     := dist
LIB      := $(DIST)/lib/libordercore.so.0
# -static-stdlib on compile and link: the library and the shell carry their own Swift runtime.
RELEASE  := -c release -Xswiftc -static-stdlib
VERSION  := $(shell sed -n 's/^\#define OC_VERSION "\(.*\)"/\1/p' Include/ordercore.h)
CTEST    := .build/ctest
RUN_LIB  := LD_LIBRARY_PATH=$(CURDIR)/$(DIST)/lib
PYENV    := PYTHONPATH=$(CURDIR)/bindings/python ORDERCORE_LIBRARY=$(CURDIR)/$(LIB) ORDERCORE_SHELL=$(CURDIR)/$(DIST)/bin/ordercore
SYSTEM_PACKAGES := libsqlite3-dev libedit-dev libpq-dev pkg-config tzdata

.PHONY: all deps test-deps build run test test-swift test-postgresql test-sql test-c test-python test-shell examples lint format docs wheel bench soak fuzz asan install clean

all: build

## System packages the build needs; installed with apt-get when missing.
deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null; then \
	  for p in $(SYSTEM_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	fi; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing; \
	fi

## Python test tools (pytest, pexpect) from PyPI, else from Debian; headless Chromium (renders the
## HTML dashboard in its test) and PostgreSQL with libpq (test-sql starts a throwaway server) from Debian.
test-deps:
	@$(PYTHON) -c 'import pytest, pexpect' 2>/dev/null || $(PYTHON) -m pip install -q pytest pexpect \
	  || { if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; $$sudo apt-get install -y -qq python3-pytest python3-pexpect; }
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null \
	  || { echo "Installing: chromium"; if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	       $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ls /usr/include/postgresql/libpq-fe.h >/dev/null 2>&1 \
	  || { echo "Installing: postgresql libpq-dev"; if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	       $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq postgresql libpq-dev; }

## dist/: lib/libordercore.so.0 (+ .so link), include/ordercore.h, bin/ordercore, lib/pkgconfig/ordercore.pc
build: deps
	$(SWIFT) build $(RELEASE)
	@bin=$$($(SWIFT) build $(RELEASE) --show-bin-path) && \
	rm -rf $(DIST) && mkdir -p $(DIST)/lib/pkgconfig $(DIST)/include $(DIST)/bin && \
	cp $$bin/libOrderCoreABI.so $(LIB) && ln -s libordercore.so.0 $(DIST)/lib/libordercore.so && \
	cp Include/ordercore.h $(DIST)/include/ && cp $$bin/ordercore $(DIST)/bin/ && \
	$(call pkgconfig,$(CURDIR)/$(DIST)) > $(DIST)/lib/pkgconfig/ordercore.pc
	@echo "Built $(DIST)/ (OrderCore $(VERSION))"

pkgconfig = printf 'prefix=%s\nlibdir=$${prefix}/lib\nincludedir=$${prefix}/include\n\nName: ordercore\nDescription: Embeddable order-management engine\nVersion: %s\nRequires.private: sqlite3\nLibs: -L$${libdir} -lordercore\nCflags: -I$${includedir}\n' '$(1)' '$(VERSION)'

run: build
	$(DIST)/bin/ordercore $(DB)

install: build
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/libordercore.so.0
	ln -sf libordercore.so.0 $(DESTDIR)$(PREFIX)/lib/libordercore.so
	install -m 644 Include/ordercore.h $(DESTDIR)$(PREFIX)/include/ordercore.h
	install -m 755 $(DIST)/bin/ordercore $(DESTDIR)$(PREFIX)/bin/ordercore
	$(call pkgconfig,$(PREFIX)) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ordercore.pc

# ---- tests -------------------------------------------------------------------------------------------

test: lint test-swift test-postgresql test-c test-sql test-python test-shell examples
	@echo "All OrderCore test suites passed."

# Formatting is a tool: .swift-format (120 columns), checked here; `make format` applies it. The formatter
# cannot break a string literal, so lines over 120 characters are looked for too.
lint:
	$(SWIFT) format lint --strict --recursive Sources Package.swift
	@if LC_ALL=C.UTF-8 grep -rnE '^.{121,}' Sources --include='*.swift'; then \
	  echo "lines over 120 characters in Sources (split the string or comment)"; exit 1; fi

format:
	$(SWIFT) format format --in-place --recursive Sources Package.swift

# The suite also writes every statement text the Store prepares to $(SQL_LOG), for test-sql.
SQL_LOG := $(CTEST)/statements.log
test-swift: deps
	@mkdir -p $(CTEST) && rm -f $(SQL_LOG)
	ORDERCORE_SQL_LOG=$(CURDIR)/$(SQL_LOG) $(SWIFT) test

## The Swift suite again on a throwaway PostgreSQL server, each test on a database of its own
## (Tests/sql/with_postgresql.py; tests of what only an SQLite file has stay on SQLite).
test-postgresql: deps test-deps
	$(PYTHON) Tests/sql/with_postgresql.py $(SWIFT) test

## The Store's SQL is portable: every statement of the Swift suite, prepared by a throwaway PostgreSQL
## server (Tests/sql/portable.py; docs/architecture.md).
test-sql: build test-deps
	@test -s $(SQL_LOG) || { echo "no $(SQL_LOG): make test-swift writes it"; exit 1; }
	$(PYENV) $(PYTHON) Tests/sql/portable.py $(SQL_LOG)

CSTRICT := -Wall -Wextra -pedantic -Werror
test-c: build
	@mkdir -p $(CTEST)
	$(CC) -std=c99 $(CSTRICT) -I$(DIST)/include -c Tests/c/header_test.c -o $(CTEST)/header_c.o
	$(CXX) -std=c++11 $(CSTRICT) -x c++ -I$(DIST)/include -c Tests/c/header_test.c -o $(CTEST)/header_cxx.o
	$(CC) -std=c99 $(CSTRICT) -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/c/test_abi.c \
	  -L$(DIST)/lib -lordercore -lsqlite3 -lpq -lpthread -o $(CTEST)/test_abi
	cd $(CTEST) && $(RUN_LIB) ./test_abi
	@# the same suite on a throwaway PostgreSQL server (SQLite-file tests skipped)
	cd $(CTEST) && $(RUN_LIB) $(PYTHON) $(CURDIR)/Tests/sql/with_postgresql.py ./test_abi
	$(CC) -std=c99 $(CSTRICT) -I$(DIST)/include Tests/c/test_replay.c -L$(DIST)/lib -lordercore -o $(CTEST)/test_replay
	cd $(CTEST) && rm -f replay.db* && $(RUN_LIB) ./test_replay replay.db
	$(CC) -std=c99 $(CSTRICT) -I$(DIST)/include Tests/c/test_full_disk.c -L$(DIST)/lib -lordercore -o $(CTEST)/test_full_disk
	Tests/c/full_disk.sh $(CTEST)/test_full_disk $(DIST)/lib
	Tests/c/check_library.sh $(DIST)
	@# make install lays out the same tree, and pkg-config finds it
	rm -rf $(CTEST)/prefix && $(MAKE) --no-print-directory install PREFIX=$(CURDIR)/$(CTEST)/prefix >/dev/null
	$(CC) examples/c/quickstart.c $$(PKG_CONFIG_PATH=$(CTEST)/prefix/lib/pkgconfig pkg-config --cflags --libs ordercore) -o $(CTEST)/quickstart-installed
	cd $(CTEST) && rm -f installed.db* && LD_LIBRARY_PATH=prefix/lib ./quickstart-installed installed.db >/dev/null && echo "ok   make install + pkg-config build a working program"

test-python: build test-deps
	$(PYENV) $(PYTHON) docs/generate.py --check
	$(PYENV) $(PYTHON) -m pytest -q Tests/python

# The Python binding as a wheel that carries the library: pip install dist/ordercore-*.whl, no variables.
wheel: build
	$(PYTHON) bindings/python/build_wheel.py $(LIB) $(DIST)

# docs/commands.md and the Python binding's op methods, generated from the op declarations.
docs: build
	$(PYENV) $(PYTHON) docs/generate.py

test-shell: build test-deps
	$(PYENV) $(PYTHON) -m pytest -q Tests/shell
	@# The terminal sessions again against the unoptimised build `swift test` leaves, when there is one: it
	@# reuses memory an optimised build does not, which showed a C string kept past its lifetime.
	if [ -x .build/debug/ordercore ]; then \
	  $(PYENV) ORDERCORE_SHELL=$(CURDIR)/.build/debug/ordercore $(PYTHON) -m pytest -q Tests/shell -k terminal; fi

## The examples build exactly as the README tells a C programmer to build them.
examples: build
	@mkdir -p $(CTEST)
	$(CC) examples/c/quickstart.c -I $(DIST)/include -L $(DIST)/lib -lordercore -o $(CTEST)/quickstart
	cd $(CTEST) && rm -f quickstart.db* && $(RUN_LIB) ./quickstart quickstart.db
	$(CC) examples/c/channel_sync.c -I $(DIST)/include -L $(DIST)/lib -lordercore -o $(CTEST)/channel_sync
	cd $(CTEST) && rm -f sync.db* && $(RUN_LIB) ./channel_sync sync.db
	$(CC) examples/c/nightly.c -I $(DIST)/include -L $(DIST)/lib -lordercore -o $(CTEST)/nightly
	cd $(CTEST) && rm -rf nightly.db* nightly-out && mkdir nightly-out && $(RUN_LIB) ./nightly nightly.db nightly-out
	sed -n '/^```c$$/,/^```$$/p' README.md | sed '1d;$$d' > $(CTEST)/readme.c
	$(CC) $(CTEST)/readme.c -I $(DIST)/include -L $(DIST)/lib -lordercore -o $(CTEST)/readme
	cd $(CTEST) && rm -f shop.db* && $(RUN_LIB) ./readme
	cd $(CTEST) && rm -f quickstart-py.db* && $(PYENV) $(PYTHON) $(CURDIR)/examples/python/quickstart.py quickstart-py.db
	cd $(CTEST) && rm -rf operations.db* operations-out && $(PYENV) $(PYTHON) $(CURDIR)/examples/python/operations_report.py operations.db operations-out

## The benchmarks of docs/benchmarks.md, each with its comparison in the same run.
bench: build
	@mkdir -p $(CTEST)
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/place_pay.c -L$(DIST)/lib -lordercore -lsqlite3 -o $(CTEST)/place_pay
	$(CC) -O2 -std=c99 -I$(DIST)/include Tests/bench/hot_sku.c -L$(DIST)/lib -lordercore -lpq -lpthread -o $(CTEST)/hot_sku
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/scale.c -L$(DIST)/lib -lordercore -lsqlite3 -o $(CTEST)/scale
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/lifecycle.c -L$(DIST)/lib -lordercore -lsqlite3 -o $(CTEST)/lifecycle
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$(DIST)/include Tests/bench/intake.c -L$(DIST)/lib -lordercore -lsqlite3 -lpq -o $(CTEST)/intake
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/risk.c -L$(DIST)/lib -lordercore -o $(CTEST)/risk
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/reports.c -L$(DIST)/lib -lordercore -lsqlite3 -o $(CTEST)/reports
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$(DIST)/include Tests/bench/suite.c -L$(DIST)/lib -lordercore -lsqlite3 -lpthread -o $(CTEST)/suite
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -I$(DIST)/include Tests/bench/postgresql.c -L$(DIST)/lib -lordercore -lpq -lpthread -o $(CTEST)/postgresql
	$(CC) -O2 -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$(DIST)/include Tests/bench/checkpoint.c -L$(DIST)/lib -lordercore -lsqlite3 -lpthread -o $(CTEST)/checkpoint
	cd $(CTEST) && $(RUN_LIB) ./place_pay $(BENCH_ARGS)
	cd $(CTEST) && $(RUN_LIB) ./hot_sku
	cd $(CTEST) && $(RUN_LIB) ./scale
	cd $(CTEST) && $(RUN_LIB) ./lifecycle
	cd $(CTEST) && $(RUN_LIB) ORDERCORE_SHELL=$(CURDIR)/$(DIST)/bin/ordercore ./intake
	cd $(CTEST) && $(RUN_LIB) ./risk
	cd $(CTEST) && $(RUN_LIB) ./risk 5000 10000 zh
	cd $(CTEST) && $(RUN_LIB) ./reports
	cd $(CTEST) && $(RUN_LIB) ./suite
	cd $(CTEST) && $(RUN_LIB) ./checkpoint
	cd $(CTEST) && $(PYTHON) $(CURDIR)/Tests/sql/with_postgresql.py --tcp env $(RUN_LIB) ./postgresql
	cd $(CTEST) && $(PYTHON) $(CURDIR)/Tests/sql/with_postgresql.py --tcp env $(RUN_LIB) ./hot_sku 1000 3 4
	cd $(CTEST) && $(PYTHON) $(CURDIR)/Tests/sql/with_postgresql.py --tcp env $(RUN_LIB) ORDERCORE_SHELL=$(CURDIR)/$(DIST)/bin/ordercore ./intake 6000 5 1000

## The long crash and concurrency runs (the short ones are part of make test): docs/reliability.md.
SOAK_KILLS ?= 200
soak: build
	$(PYENV) $(PYTHON) Tests/python/crash_harness.py $(SOAK_KILLS)
	$(PYENV) $(PYTHON) Tests/python/soak.py 4 4 2000
	$(PYENV) $(PYTHON) Tests/sql/with_postgresql.py $(PYTHON) Tests/python/soak.py 4 4 2000
	ORDERCORE_FAILOVER_ORDERS=2000 $(PYENV) $(PYTHON) -m pytest -q Tests/python/test_postgresql_failover.py

## Fuzzes the C ABI with libFuzzer for FUZZ_SECONDS: the library built with coverage and AddressSanitizer
## (LeakSanitizer included), the harness Tests/fuzz/fuzz_abi.c, the committed corpus as a start.
FUZZ_SECONDS ?= 300
FUZZ := .build/fuzz
fuzz: deps
	$(SWIFT) build -c release --build-path $(FUZZ) --product OrderCoreABI -Xswiftc -sanitize=fuzzer,address \
	  -Xlinker --allow-shlib-undefined -Xlinker --unresolved-symbols=ignore-all
	ln -sf libOrderCoreABI.so $(FUZZ)/release/libordercore.so.0
	mkdir -p $(FUZZ)/bin $(FUZZ)/corpus && cp Tests/fuzz/corpus/* $(FUZZ)/corpus/
	clang -g -O1 -fsanitize=fuzzer,address -IInclude Tests/fuzz/fuzz_abi.c -L$(FUZZ)/release -lOrderCoreABI \
	  -Wl,-rpath,$(CURDIR)/$(FUZZ)/release -o $(FUZZ)/bin/fuzz_abi 2>/dev/null
	cd $(FUZZ)/bin && { LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/fuzz/lsan.supp \
	  ./fuzz_abi -max_total_time=$(FUZZ_SECONDS) -dict=$(CURDIR)/Tests/fuzz/dictionary.txt -max_len=4096 \
	  -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 ../corpus > fuzz.log 2>&1; rc=$$?; \
	  grep -v -E '^#[0-9]+.*(NEW|REDUCE|pulse)|^"|Uses:' fuzz.log; exit $$rc; }

## The Swift suite and the C ABI suite under AddressSanitizer, leaks included, on SQLite and on a throwaway
## PostgreSQL server (about 5 minutes): memory errors and leaks no other test sees (docs/reliability.md).
ASAN := .build/asan
ASAN_TESTS := $(ASAN)/debug/OrderCorePackageTests.xctest --testing-library swift-testing
asan: deps
	$(SWIFT) build --sanitize=address --build-path $(ASAN) --product OrderCorePackageTests
	$(ASAN_TESTS)
	$(PYTHON) Tests/sql/with_postgresql.py $(ASAN_TESTS)
	$(SWIFT) build --sanitize=address --build-path $(ASAN) --product OrderCoreABI \
	  -Xlinker --allow-shlib-undefined -Xlinker --unresolved-symbols=ignore-all
	ln -sf libOrderCoreABI.so $(ASAN)/debug/libordercore.so.0
	ln -sf libOrderCoreABI.so $(ASAN)/debug/libordercore.so
	mkdir -p $(ASAN)/ctest
	clang -g -fsanitize=address -std=c99 -D_POSIX_C_SOURCE=200809L -IInclude Tests/c/test_abi.c \
	  -L$(ASAN)/debug -lordercore -lsqlite3 -lpq -lpthread -Wl,-rpath,$(CURDIR)/$(ASAN)/debug -o $(ASAN)/ctest/test_abi \
	  2>/dev/null
	cd $(ASAN)/ctest && rm -rf *.db* && ./test_abi
	cd $(ASAN)/ctest && $(PYTHON) $(CURDIR)/Tests/sql/with_postgresql.py ./test_abi

clean:
	rm -rf .build $(DIST)
