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
# The smoke tests share the shape checks of a run directory.
$(BUILD)/tests/test_smoke_tcg $(BUILD)/tests/test_smoke_lab: tests/integration/shapes.c \
	tests/integration/shapes_outputs.c tests/integration/shapes_tables.c \
	tests/integration/shapes_faults.c tests/integration/shapes.h
$(BUILD)/tests/test_host_channels: tests/unit/collect_stream.c
# The report's browser test decodes Chromium's screenshot with libpng.
$(BUILD)/tests/test_report_chromium: HOST_LIBS += -lpng
$(BUILD)/tests/%: tests/unit/%.c $(HOST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.o,$^) $(HOST_LIBS) -lcmocka
$(BUILD)/tests/%: tests/integration/%.c tests/integration/harness.c tests/integration/csv.c \
		$(HOST_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.o,$^) $(HOST_LIBS) -lcmocka

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
	@tests/run-tests.sh $(UNIT_BIN) $(INTEG_BIN)

clean:
	rm -rf $(BUILD)

include tests/fuzz/fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
