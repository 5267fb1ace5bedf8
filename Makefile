# gradschool build. Everything is built out of tree under build/ (or
# build/debug, build/asan for the variants). Sources are found by directory,
# so a new .cpp file needs no Makefile change:
#   library   tensor/ tensor/cpu/ autograd/ autograd/ops/ nn/ optim/ data/
#   tests     tests/*.cpp (+ apps/common/*.cpp) -> build/tests/gradschool_tests
#   apps      apps/<name>/*.cpp (+ apps/common/*.cpp)  -> build/apps/<name>
#   tutorials tutorials/<chapter>/*.cpp   -> build/tutorials/<chapter>
#   benches   bench/<name>.cpp            -> build/bench/<name>
SHELL := /bin/bash
.DEFAULT_GOAL := all

MODE ?= release
ifeq ($(MODE),release)
BUILD ?= build
OPT := -O3 -march=native -DNDEBUG
else ifeq ($(MODE),debug)
BUILD ?= build/debug
OPT := -O0 -g
else ifeq ($(MODE),asan)
BUILD ?= build/asan
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
$(error MODE must be release, debug or asan)
endif

# The OpenMP build of OpenBLAS, pinned at link and run time: one thread pool for
# our loops and BLAS (see tensor/parallel.h).
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
OPENBLAS_DIR := /usr/lib/$(MULTIARCH)/openblas-openmp
OPENBLAS_PC := PKG_CONFIG_PATH=$(OPENBLAS_DIR)/pkgconfig:$$PKG_CONFIG_PATH pkg-config
OPENBLAS_CFLAGS = $(shell $(OPENBLAS_PC) --cflags openblas 2>/dev/null)
OPENBLAS_LIBS = $(shell $(OPENBLAS_PC) --libs openblas 2>/dev/null) -Wl,-rpath,$(OPENBLAS_DIR)

CXX ?= g++
CXXFLAGS := -std=c++17 -Wall -Wextra -fopenmp -fno-math-errno -I. $(OPT) $(OPENBLAS_CFLAGS) $(EXTRA_CXXFLAGS)
LDFLAGS := -fopenmp $(OPT)
LDLIBS = $(OPENBLAS_LIBS) -llapack -lz -lgif -lpthread

LIB_DIRS := tensor tensor/cpu autograd autograd/ops nn optim data
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libgradschool.a

TEST_SRCS := $(wildcard tests/*.cpp)
TEST_BIN := $(BUILD)/tests/gradschool_tests

APP_COMMON_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard apps/common/*.cpp))
APP_NAMES := $(filter-out common,$(notdir $(patsubst %/,%,$(wildcard apps/*/))))
APP_BINS := $(APP_NAMES:%=$(BUILD)/apps/%)

TUTORIAL_NAMES := $(notdir $(patsubst %/,%,$(dir $(wildcard tutorials/*/main.cpp))))
TUTORIAL_BINS := $(TUTORIAL_NAMES:%=$(BUILD)/tutorials/%)

BENCH_NAMES := $(basename $(notdir $(wildcard bench/*.cpp)))
BENCH_BINS := $(BENCH_NAMES:%=$(BUILD)/bench/%)

.PHONY: all lib tests apps tutorials benches deps test demo bench data debug asan clean help
all: lib tests apps tutorials benches
lib: $(LIB)
tests: $(TEST_BIN)
apps: $(APP_BINS)
tutorials: $(TUTORIAL_BINS)
benches: $(BENCH_BINS)

help:
	@echo "make demo       set up everything and run the main demo"
	@echo "make test       install dependencies if needed, build, run the whole test suite"
	@echo "make bench      build and run the benchmarks (speed, not correctness)"
	@echo "make tutorials  build the tutorial programs (build/tutorials/<chapter>)"
	@echo "make data       fetch MNIST (and SVHN when available) into data/"
	@echo "make debug      build and test without optimisation, with -g"
	@echo "make asan       build and test under AddressSanitizer + UBSan"
	@echo "make clean      remove build/"

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(TEST_BIN): $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o) $(APP_COMMON_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

# The objects of every .cpp in directory $(1).
objects_in = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard $(1)/*.cpp))

.SECONDEXPANSION:
$(BUILD)/apps/%: $$(call objects_in,apps/$$*) $(APP_COMMON_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(BUILD)/tutorials/%: $$(call objects_in,tutorials/$$*) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

# train_step times the very models the mnist_gan and ssl apps train.
$(BUILD)/bench/train_step: $(BUILD)/obj/apps/common/mnist_models.o $(BUILD)/obj/apps/ssl/ssl_models.o

deps:
	@bash scripts/install-deps.sh

# test/demo/bench build in parallel on every core unless make was given -j.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PARALLEL = $(if $(filter -j% j%,$(MAKEFLAGS)),,-j$(JOBS))

# The README's test command: dependencies, build, the whole doctest suite.
# scripts/run-tests.sh prints doctest's summary and a final "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@GS_BUILD_DIR=$(BUILD) bash scripts/run-tests.sh $(TEST_BIN) $(TEST_ARGS)

demo: deps
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@bash scripts/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@bash scripts/run-benchmarks.sh $(BUILD)

data:
	@bash scripts/fetch-data.sh

debug:
	@$(MAKE) --no-print-directory MODE=debug test

asan:
	@ASAN_OPTIONS=detect_leaks=1 $(MAKE) --no-print-directory MODE=asan test

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
