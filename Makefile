# Thin wrapper over ./configure (CMake + Ninja). `make` builds every program into build/;
# `make check` and `make demo` first install what is missing through scripts/setup.

BUILD ?= build
NINJA ?= ninja
CTEST_JOBS ?= 2

.PHONY: all build setup check check-unit demo bench install clean distclean format

all: build

$(BUILD)/build.ninja:
	./configure --build-dir=$(BUILD)

build: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

setup:
	scripts/setup

check: setup
	$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest -j$(CTEST_JOBS) --output-on-failure

check-unit: build
	cd $(BUILD) && ctest -j$(CTEST_JOBS) --output-on-failure -L unit

demo: setup
	$(MAKE) --no-print-directory build
	scripts/demo $(BUILD)

bench: setup
	$(MAKE) --no-print-directory build
	python3 bench/run --build $(BUILD)

install: build
	$(NINJA) -C $(BUILD) install

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	-$(NINJA) -C $(BUILD) clean

distclean:
	rm -rf $(BUILD)
