# hvflush: `make` builds build/hvflush (host tool) and build/hvflush-guest.elf
# (the freestanding guest, multiboot v1, elf32-i386 container).
# `make run` runs the default sweep; `make test` runs unit and integration tests.

BUILD    ?= build
CC       ?= cc
LD       ?= ld
OBJCOPY  ?= objcopy
GIT_REV  := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# The revision lives in a generated header that changes only when the
# revision does, so every object that reports it is rebuilt then.
GIT_REV_H := $(BUILD)/git-rev.h
$(shell mkdir -p $(BUILD) && echo '#define GIT_REV "$(GIT_REV)"' > $(GIT_REV_H).tmp && \
	(cmp -s $(GIT_REV_H).tmp $(GIT_REV_H) && rm -f $(GIT_REV_H).tmp || mv $(GIT_REV_H).tmp $(GIT_REV_H)))

# ---- shared bench/ code (compiled twice) -------------------------------------
BENCH_SRC   := $(wildcard bench/*.c)
MEASURE_SRC := $(wildcard bench/measure/*.c)

# ---- guest -------------------------------------------------------------------
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdlib \
	-fno-pic -fno-pie -fno-stack-protector -fno-builtin -mno-red-zone \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -MMD -MP \
	-Iguest/include -Iguest/arch/x86/include -Ibench/include \
	-DHVFLUSH_GUEST -include $(GIT_REV_H)
GUEST_SRC := $(wildcard guest/arch/x86/*.S guest/arch/x86/*.c guest/lib/*.c guest/hv/*.c guest/*.c) \
	$(BENCH_SRC) $(MEASURE_SRC)
GUEST_OBJ := $(patsubst %,$(BUILD)/guest/%.o,$(GUEST_SRC))

# ---- host --------------------------------------------------------------------
HOST_PKGS   := hwloc jansson
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	-Ibench/include -Ihost $(shell pkg-config --cflags $(HOST_PKGS) 2>/dev/null) \
	-include $(GIT_REV_H)
HOST_LIBS   := $(shell pkg-config --libs $(HOST_PKGS) 2>/dev/null) -lm -lgsl -lgslcblas
HOST_SRC    := $(filter-out host/main.c,$(wildcard host/*.c host/lab/*.c host/analysis/*.c)) \
	$(BENCH_SRC)
HOST_OBJ    := $(patsubst %,$(BUILD)/host/%.o,$(HOST_SRC))
# SAN=1 (with BUILD=build-san): the host objects, hvflush and the tests under
# AddressSanitizer (with LeakSanitizer) and UBSan, every finding fatal, built
# by clang (SAN_CC), whose UBSan honours log_path (gcc 12's split runtimes
# write UBSan's reports to stderr only).  The guest is freestanding, built by
# $(CC) as always, and never sanitized.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CC    ?= clang
ifeq ($(SAN),1)
HOST_CFLAGS += $(SAN_FLAGS) -O1 -g
HOST_LIBS   += $(SAN_FLAGS)
$(BUILD)/host/%: CC = $(SAN_CC)
$(BUILD)/hvflush: CC = $(SAN_CC)
$(BUILD)/tests/%: CC = $(SAN_CC)
endif

# ---- tests -------------------------------------------------------------------
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(INTEG_SRC))

.PHONY: all deps run test unit integration clean
all: $(BUILD)/hvflush $(BUILD)/hvflush-guest.elf

$(BUILD)/guest/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(BUILD)/guest/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/hvflush-guest.elf64: $(GUEST_OBJ) guest/arch/x86/guest.ld
	$(LD) -nostdlib -z max-page-size=4096 -T guest/arch/x86/guest.ld -o $@ $(GUEST_OBJ)
$(BUILD)/hvflush-guest.elf: $(BUILD)/hvflush-guest.elf64
	$(OBJCOPY) -O elf32-i386 $< $@

$(BUILD)/host/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/hvflush: $(BUILD)/host/host/main.c.o $(HOST_OBJ)
	$(CC) -o $@ $^ $(HOST_LIBS)

# The collector's tests share their hand-made record streams.
$(BUILD)/tests/test_host_collect $(BUILD)/tests/test_host_collect_config: tests/unit/collect_stream.c
$(BUILD)/tests/test_host_collect_damage: tests/unit/collect_stream.c
# The stream-fault tests share their sweep and checks.
$(BUILD)/tests/test_stream_faults_tcg $(BUILD)/tests/test_guest_stops_tcg: \
	tests/integration/stream_checks.c tests/integration/stream_checks.h
# The smoke tests share the shape checks of a run directory.
$(BUILD)/tests/test_smoke_tcg $(BUILD)/tests/test_smoke_lab: tests/integration/shapes.c \
	tests/integration/shapes_outputs.c tests/integration/shapes_tables.c \
	tests/integration/shapes_faults.c tests/integration/shapes.h
$(BUILD)/tests/test_host_channels: tests/unit/collect_stream.c
# The host-side fault tests share a fixture and the leftovers check.
$(BUILD)/tests/test_faults_host $(BUILD)/tests/test_faults_results: tests/integration/faults_fixture.c \
	tests/integration/leftovers.c tests/integration/faults_fixture.h tests/integration/leftovers.h
# The report's browser test decodes Chromium's screenshot with libpng.
$(BUILD)/tests/test_report_chromium: HOST_LIBS += -lpng
$(BUILD)/tests/%: tests/unit/%.c $(HOST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.o,$^) $(HOST_LIBS) -lcmocka
$(BUILD)/tests/%: tests/integration/%.c tests/integration/harness.c tests/integration/csv.c \
		$(HOST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.o,$^) $(HOST_LIBS) -lcmocka

# ---- the sanitized build (SAN=1 into build-san) ------------------------------
# `make test` also builds the host objects, hvflush and every unit test with
# ASan and UBSan into build-san and runs them, then a few integration tests
# with the sanitized hvflush (HVFLUSH_BIN), then test_sanitizers: planted bugs
# must fail, hvflush must be instrumented, and no process may have left a
# report in SAN_LOG (every finding is fatal and logged there).
SAN_BUILD     := build-san
SAN_INTEG     := test_failures test_e2e test_compare_tcg test_import_tcg test_smoke_tcg \
                 test_faults_host test_stream_faults_tcg test_guest_stops_tcg
SAN_UNIT_BIN  := $(patsubst tests/unit/%.c,$(SAN_BUILD)/tests/%,$(UNIT_SRC))
SAN_INTEG_BIN := $(patsubst %,$(SAN_BUILD)/tests/%,$(SAN_INTEG))
SAN_CHECK_BIN := $(SAN_BUILD)/tests/san_planted $(SAN_BUILD)/tests/test_sanitizers
SAN_LOG       := $(CURDIR)/$(SAN_BUILD)/san-log
SAN_ENV       := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:log_path=$(SAN_LOG)/asan \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(SAN_LOG)/ubsan \
	HVFLUSH_SAN_LOG=$(SAN_LOG)
$(BUILD)/tests/san_planted: tests/san/planted.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(HOST_LIBS)
$(BUILD)/tests/test_sanitizers: tests/san/test_sanitizers.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(HOST_LIBS) -lcmocka

deps:
	@scripts/deps.sh

# `make run` — the default sweep on the best accelerator present, then plots,
# then the HTML report (its path is the last line printed).
# `make run SWEEP=smoke RUN_ARGS="--smp 8 --accel tcg"` picks others.
SWEEP    ?= default
RUN_ARGS ?=
run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/hvflush run --sweep $(SWEEP) $(RUN_ARGS)
	$(BUILD)/hvflush plot results/latest
	$(BUILD)/hvflush report results/latest

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(INTEG_BIN)
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) SAN=1 all $(SAN_UNIT_BIN) $(SAN_INTEG_BIN) \
		$(SAN_CHECK_BIN)
	@rm -rf $(SAN_LOG) && mkdir -p $(SAN_LOG)
	@$(SAN_ENV) tests/run-tests.sh $(UNIT_BIN) $(INTEG_BIN) $(SAN_UNIT_BIN) \
		HVFLUSH_BIN=$(SAN_BUILD)/hvflush $(SAN_INTEG_BIN) $(SAN_BUILD)/tests/test_sanitizers

clean:
	rm -rf $(BUILD) $(SAN_BUILD)

include tests/fuzz/fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
