# gradschool build. Everything is built out of tree under build/ (or
# build/debug, build/asan for the variants). Sources are found by directory,
# so a new .cpp or .cu file needs no Makefile change:
#   library   tensor/ tensor/cpu/ autograd/ autograd/ops/ nn/ optim/ data/
#   CUDA      tensor/cuda/*.cu (nvcc, when found) -> linked into every program
#   tests     tests/*.cpp tests/parity/*.cpp (+ apps/common/*.cpp) -> build/tests/gradschool_tests,
#             with tensor/cuda/*.cu compiled by g++ against tests/cuda_emulation/
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
else ifeq ($(MODE),fuzz)
# The readers under libFuzzer (make fuzz): clang, coverage for the fuzzer, ASan + UBSan.
BUILD ?= build/fuzz
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined
CXX := clang++
CUDA := 0
else
$(error MODE must be release, debug, asan or fuzz)
endif

# The OpenMP build of OpenBLAS, pinned at link and run time: one thread pool for
# our loops and BLAS (see tensor/parallel.h).
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
OPENBLAS_DIR := /usr/lib/$(MULTIARCH)/openblas-openmp
OPENBLAS_PC := PKG_CONFIG_PATH=$(OPENBLAS_DIR)/pkgconfig:$$PKG_CONFIG_PATH pkg-config
OPENBLAS_CFLAGS = $(shell $(OPENBLAS_PC) --cflags openblas 2>/dev/null)
OPENBLAS_LIBS = $(shell $(OPENBLAS_PC) --libs openblas 2>/dev/null) -Wl,-rpath,$(OPENBLAS_DIR)

# MPI (OpenMPI from Debian) for data-parallel training across processes (tensor/distributed.h).
MPI_CFLAGS = $(shell pkg-config --cflags ompi 2>/dev/null)
MPI_LIBS = $(shell pkg-config --libs ompi 2>/dev/null)

CXX ?= g++
# -fno-math-errno and -fno-trapping-math: nothing here reads errno or the
# float exception flags, so the compiler may run sqrt inline and compute both
# sides of a select like `x > 0 ? x : slope * x` in vector lanes (with traps
# assumed, it keeps such loops one element at a time on CPUs without AVX-512's
# masked arithmetic: LeakyReLU 8x, a float32 normal fill 3.7x slower). Values
# are the same bits either way.
CXXFLAGS := -std=c++17 -Wall -Wextra -fopenmp -fno-math-errno -fno-trapping-math -I. $(OPT) $(OPENBLAS_CFLAGS) $(MPI_CFLAGS) $(EXTRA_CXXFLAGS)
LDFLAGS := -fopenmp $(OPT)
# libmvec: the vector expf/logf/log1pf/tanhf of tensor/kernels/math.h (x86-64 glibc).
LDLIBS = $(OPENBLAS_LIBS) -llapack -lz -lgif -lpthread $(MPI_LIBS) $(if $(filter x86_64,$(shell uname -m)),-lmvec)

# ---- CUDA ----------------------------------------------------------------
# With nvcc on the PATH or in /usr/local/cuda the CUDA backend is built (for the
# A100/H100-class GPUs: sm_80, sm_90) and linked into every program, and a
# second test binary runs the parity suite on a real GPU (skipped without one).
# `make CUDA=0` builds for the CPU only. Either way the test suite compiles the
# same .cu sources with g++ against an emulation of CUDA on the CPU
# (tests/cuda_emulation/), so every kernel runs in `make test`.
ifeq ($(origin NVCC),undefined)
NVCC := $(firstword $(shell command -v nvcc 2>/dev/null) $(wildcard /usr/local/cuda/bin/nvcc))
endif
# The toolkit folder is the first whose lib64 holds cuBLAS: $CUDA_HOME if set,
# then where nvcc lives (a wrapper script such as /usr/local/bin/nvcc is asked:
# _HERE_ in its --dryrun), then /usr/local/cuda.
ifneq ($(NVCC),)
NVCC_HERE := $(shell $(NVCC) --dryrun -x cu -c /dev/null -o /dev/null 2>&1 | sed -n 's/^\#\$$ _HERE_=//p')
CUDA_HOME_CANDIDATES := $(CUDA_HOME) $(NVCC_HERE:%/bin=%) $(patsubst %/bin/nvcc,%,$(realpath $(NVCC))) /usr/local/cuda
CUDA_HOME := $(patsubst %/lib64/libcublas.so,%,$(firstword $(wildcard $(CUDA_HOME_CANDIDATES:%=%/lib64/libcublas.so))))
endif
ifeq ($(and $(NVCC),$(CUDA_HOME)),)
CUDA ?= 0
else
CUDA ?= 1
endif
ifeq ($(MODE),asan)
# The CUDA runtime does not run under AddressSanitizer; the emulated kernels do.
CUDA := 0
endif
CUDA_SRCS := $(wildcard tensor/cuda/*.cu)
NVCC_ARCHS := -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
NVCCFLAGS := -std=c++17 -O3 $(NVCC_ARCHS) -I. $(OPENBLAS_CFLAGS) -Werror all-warnings \
  -Xcompiler -Wall,-Wextra,-Werror,-fopenmp,-fno-math-errno,-fno-trapping-math $(EXTRA_NVCCFLAGS)
ifeq ($(CUDA),1)
# NCCL (CUDA tensors across ranks, tensor/cuda/collectives.cu) when the toolkit
# has it; without it CUDA tensors are all-reduced by MPI through host memory.
NCCL_LIB_DIR := $(patsubst %/libnccl.so,%,$(firstword $(wildcard $(CUDA_HOME)/lib/libnccl.so \
  $(CUDA_HOME)/lib64/libnccl.so /usr/lib/x86_64-linux-gnu/libnccl.so)))
REAL_CUDA_SRCS := $(if $(NCCL_LIB_DIR),$(CUDA_SRCS),$(filter-out tensor/cuda/collectives.cu,$(CUDA_SRCS)))
CUDA_OBJS := $(REAL_CUDA_SRCS:%.cu=$(BUILD)/obj/%.cu.o)
CUDA_LDLIBS := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcublas -lcudart
ifneq ($(NCCL_LIB_DIR),)
CUDA_LDLIBS += -L$(NCCL_LIB_DIR) -Wl,-rpath,$(NCCL_LIB_DIR) -lnccl
endif
GPU_TEST_BIN := $(BUILD)/tests/gradschool_gpu_tests
CUDA_NOTE := the CUDA backend with $(NVCC), $(if $(NCCL_LIB_DIR),NCCL,no NCCL) (make CUDA=0 for CPU only)
else
CUDA_NOTE := no CUDA backend ($(if $(NVCC),$(if $(CUDA_HOME),CUDA=0,$(NVCC) found but no lib64/libcublas.so beside it),nvcc not found)): CPU only
endif
ifeq ($(MAKELEVEL),0)
$(info gradschool: building $(CUDA_NOTE))
endif

# The emulated device for the tests: the same kernel sources, g++, and the
# emulation's cuda_runtime.h / cublas_v2.h ahead of the toolkit's.
EMULATION_INCLUDE := -Itests/cuda_emulation/include
EMULATED_CUDA_OBJS := $(CUDA_SRCS:%.cu=$(BUILD)/obj/emulated/%.o) \
  $(patsubst %.cpp,$(BUILD)/obj/%.o,$(filter-out tests/cuda_emulation/test_%,$(wildcard tests/cuda_emulation/*.cpp)))
EMULATION_TEST_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard tests/cuda_emulation/test_*.cpp))

LIB_DIRS := tensor tensor/cpu autograd autograd/ops nn optim data
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libgradschool.a

TEST_SRCS := $(wildcard tests/*.cpp tests/parity/*.cpp)
TEST_BIN := $(BUILD)/tests/gradschool_tests
# The data-parallel cases, run by `mpirun -np 2` from tests/test_data_parallel.cpp,
# with the emulated CUDA device (and its NCCL) for the [cuda] ones.
DISTRIBUTED_TEST_BIN := $(BUILD)/tests/gradschool_distributed_tests
DISTRIBUTED_TEST_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,tests/main.cpp $(wildcard tests/distributed/*.cpp) \
  apps/common/mnist_models.cpp)
PARITY_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,tests/main.cpp $(wildcard tests/parity/*.cpp))
# The trainers the training-iteration tests run (tests/parity/test_training_parity.cpp).
TRAINER_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,apps/mnist_gan/gan_trainer.cpp apps/ssl/ssl_models.cpp \
  apps/ssl/ssl_trainer.cpp apps/ssl/ssl_report.cpp)

APP_COMMON_OBJS := $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard apps/common/*.cpp))
APP_NAMES := $(filter-out common,$(notdir $(patsubst %/,%,$(wildcard apps/*/))))
APP_BINS := $(APP_NAMES:%=$(BUILD)/apps/%)
# The apps with --device, linked against the emulated device for their tests.
DEVICE_APP_NAMES := mnist_gan mnist_classifier gan_eval ssl latent
EMULATED_APP_BINS := $(DEVICE_APP_NAMES:%=$(BUILD)/tests/emulated/apps/%)

TUTORIAL_NAMES := $(notdir $(patsubst %/,%,$(dir $(wildcard tutorials/*/main.cpp))))
TUTORIAL_BINS := $(TUTORIAL_NAMES:%=$(BUILD)/tutorials/%)
GPU_TUTORIAL := 10-gpu
EMULATED_TUTORIAL_BIN := $(if $(wildcard tutorials/$(GPU_TUTORIAL)/main.cpp),$(BUILD)/tests/emulated/tutorials/$(GPU_TUTORIAL))

# Fuzz harnesses (tests/fuzz/fuzz_*.cpp, MODE=fuzz): build/fuzz/fuzz/<name>.
FUZZ_NAMES := $(basename $(notdir $(wildcard tests/fuzz/fuzz_*.cpp)))
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%) $(BUILD)/fuzz/make_seeds
FUZZ_SECONDS ?= 60

BENCH_NAMES := $(basename $(notdir $(wildcard bench/*.cpp)))
BENCH_BINS := $(BENCH_NAMES:%=$(BUILD)/bench/%)

.PHONY: all lib tests apps tutorials benches deps test demo bench data debug asan fuzz fuzz-binaries clean help
all: lib tests apps tutorials benches
lib: $(LIB)
tests: $(TEST_BIN) $(DISTRIBUTED_TEST_BIN) $(GPU_TEST_BIN) $(EMULATED_APP_BINS) $(EMULATED_TUTORIAL_BIN)
apps: $(APP_BINS)
tutorials: $(TUTORIAL_BINS)
benches: $(BENCH_BINS)

help:
	@echo "make demo       set up everything and run the main demo"
	@echo "make test       install dependencies if needed, build, run the whole test suite"
	@echo "make bench      build and run the benchmarks (speed, not correctness)"
	@echo "make tutorials  build the tutorial programs (build/tutorials/<chapter>)"
	@echo "make data       fetch MNIST into data/ (DATASETS=\"mnist svhn cifar10\" for others)"
	@echo "make debug      build and test without optimisation, with -g"
	@echo "make asan       build and test under AddressSanitizer + UBSan"
	@echo "make fuzz       fuzz every file reader with libFuzzer, FUZZ_SECONDS=60 each"
	@echo "make clean      remove build/"

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.cu.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/emulated/%.o: %.cu
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(EMULATION_INCLUDE) -x c++ -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/distributed/%.o: tests/distributed/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(EMULATION_INCLUDE) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/cuda_emulation/%.o: tests/cuda_emulation/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(EMULATION_INCLUDE) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The CUDA backend's objects are linked as objects, not from the archive: it
# registers itself (a static initializer), and a linker keeps an archive
# member only when something refers to it.
$(TEST_BIN): $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o) $(EMULATION_TEST_OBJS) $(TRAINER_OBJS) $(APP_COMMON_OBJS) \
    $(EMULATED_CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(DISTRIBUTED_TEST_BIN): $(DISTRIBUTED_TEST_OBJS) $(EMULATED_CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(GPU_TEST_BIN): $(PARITY_OBJS) $(TRAINER_OBJS) $(APP_COMMON_OBJS) $(CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS) $(CUDA_LDLIBS)

# The objects of every .cpp in directory $(1).
objects_in = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(wildcard $(1)/*.cpp))

# Keep every object file: make would otherwise delete the app, tutorial and
# bench objects as intermediates and rebuild them on the next make.
.SECONDARY:

.SECONDEXPANSION:
$(BUILD)/apps/%: $$(call objects_in,apps/$$*) $(APP_COMMON_OBJS) $(CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS) $(CUDA_LDLIBS)

$(BUILD)/tutorials/%: $$(call objects_in,tutorials/$$*) $(CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS) $(CUDA_LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS) $(CUDA_LDLIBS)

$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(BUILD)/obj/apps/common/run_files.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(BUILD)/fuzz/make_seeds: $(BUILD)/obj/tests/fuzz/make_seeds.o $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

fuzz-binaries: $(FUZZ_BINS)

# The same programs on the emulated device (test equipment, under build/tests/).
$(BUILD)/tests/emulated/apps/%: $$(call objects_in,apps/$$*) $(APP_COMMON_OBJS) $(EMULATED_CUDA_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

$(BUILD)/tests/emulated/tutorials/%: $$(call objects_in,tutorials/$$*) $(EMULATED_CUDA_OBJS) $(LIB)
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
	@$(MAKE) --no-print-directory -q all || { echo "make test: a second make would rebuild something; \
	see \`make -n all\` (objects must survive as .SECONDARY)"; exit 1; }
	@excluded=$(EXCLUDED_SUITES); \
	if ! { ip netns add gs-probe-$$$$ && ip netns del gs-probe-$$$$; } 2>/dev/null; then \
	  excluded=$${excluded:+$$excluded,}two-hosts; \
	  echo "make test: the two-host test (network namespaces) is left out: ip netns needs root with CAP_NET_ADMIN"; \
	fi; \
	GS_BUILD_DIR=$(BUILD) bash scripts/run-tests.sh $(TEST_BIN) $(TEST_ARGS) $${excluded:+--test-suite-exclude=$$excluded}
ifeq ($(CUDA),1)
	@echo "== the parity suite on a real GPU ($(GPU_TEST_BIN))"
	@GS_BUILD_DIR=$(BUILD) bash scripts/run-tests.sh $(GPU_TEST_BIN)
endif

demo: deps
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@bash scripts/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory $(PARALLEL) all
	@bash scripts/run-benchmarks.sh $(BUILD)

# make data: MNIST; make data DATASETS="mnist svhn cifar10": exactly those.
data:
	@bash scripts/fetch-data.sh $(DATASETS)

# Each harness runs FUZZ_SECONDS from its seed corpus (written by make_seeds into
# build/fuzz/seeds/<name>, copied to build/fuzz/corpus/<name>, where new inputs
# collect outside the tree); scripts/fuzz.sh reports.
fuzz:
	@bash scripts/install-deps.sh clang libclang-rt-14-dev libomp-14-dev
	@$(MAKE) --no-print-directory MODE=fuzz $(PARALLEL) fuzz-binaries
	@bash scripts/fuzz.sh build/fuzz $(FUZZ_SECONDS)

debug:
	@$(MAKE) --no-print-directory MODE=debug test

asan:
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan-suppressions.txt \
	  $(MAKE) --no-print-directory MODE=asan EXCLUDED_SUITES=data-parallel-apps test

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
