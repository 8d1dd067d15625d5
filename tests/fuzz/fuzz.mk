# libFuzzer harnesses (tests/fuzz/README.md), included by the Makefile.
# `make fuzz` builds $(FUZZ_BUILD)/fuzz_<target>: the host sources compiled
# by clang with AddressSanitizer and UndefinedBehaviorSanitizer into
# $(FUZZ_BUILD)/host/, linked with each harness and libFuzzer.
# build/tests/test_fuzz (part of `make test`) runs each for FUZZ_RUNS inputs.

FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_RUNS    ?= 2000
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -MMD -MP -D_GNU_SOURCE \
	-fno-omit-frame-pointer $(FUZZ_SAN) -Ibench/include -Ihost \
	$(shell pkg-config --cflags $(HOST_PKGS) 2>/dev/null) -include $(GIT_REV_H)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_files.c,\
	$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_HOST_OBJ := $(patsubst %,$(FUZZ_BUILD)/host/%.o,$(HOST_SRC))

.PHONY: fuzz
fuzz: $(FUZZ_BIN)

$(FUZZ_BUILD)/host/%.c.o: %.c $(GIT_REV_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_files.c tests/fuzz/fuzz_files.h \
		$(FUZZ_HOST_OBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.o,$^) $(HOST_LIBS)

# The cmocka test that runs them (built with the host's compiler).
UNIT_BIN += $(BUILD)/tests/test_fuzz
$(BUILD)/tests/test_fuzz: tests/fuzz/test_fuzz.c $(FUZZ_BIN)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -DFUZZ_BUILD='"$(FUZZ_BUILD)"' -DFUZZ_RUNS=$(FUZZ_RUNS) \
		-DFUZZ_TARGETS='"$(FUZZ_TARGETS)"' -o $@ $< -lcmocka

.PHONY: fuzz-clean
clean: fuzz-clean
fuzz-clean:
	rm -rf $(FUZZ_BUILD)

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
