# SPDX-License-Identifier: GPL-2.0-only
#
# espif: build, install, package and test.  `make help` lists the targets.

KERNELRELEASE ?= $(shell uname -r)
KERNELDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr
DESTDIR ?=
DEPMOD ?= depmod
# Where downloaded kernels, sources and VM images are kept.
ESPIF_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/espif
export ESPIF_CACHE

PACKAGE_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# The kernel source tree whose tools/net/ynl and scripts/checkpatch.pl we use.
TOOLS_SERIES := 6.12
TOOLS_SRC = $(ESPIF_CACHE)/src/linux-source-$(TOOLS_SERIES)
YNL = $(TOOLS_SRC)/tools/net/ynl

# What `make dkms-install` ships: the module's sources and build files only,
# never tests (kmod/tests) or userspace.
DKMS_SOURCES := dkms.conf Kbuild LICENSE \
	$(filter-out kmod/tests/% %.mod.c, $(wildcard kmod/*.c kmod/*.h \
	kmod/Kbuild kmod/Kconfig kmod/compat/*.h kmod/generated/*.c \
	kmod/generated/*.h)) uapi/linux/espif.h

all: module ikehelper

module:
	$(MAKE) -C $(KERNELDIR) M=$(CURDIR) ESPIF_WERROR=$(ESPIF_WERROR) modules

ikehelper:
	$(MAKE) -C ikehelper

install: module ikehelper
	$(MAKE) -C $(KERNELDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	$(DEPMOD) -a $(KERNELRELEASE)
	$(MAKE) -C ikehelper install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

dkms-install: $(DKMS_SOURCES)
	@install -d $(DESTDIR)/usr/src/espif-$(PACKAGE_VERSION)
	@for f in $(DKMS_SOURCES); do \
		install -D -m 0644 $$f $(DESTDIR)/usr/src/espif-$(PACKAGE_VERSION)/$$f || exit 1; \
	done
	@echo "espif $(PACKAGE_VERSION) sources in $(DESTDIR)/usr/src/espif-$(PACKAGE_VERSION);"
	@echo "now: dkms install espif/$(PACKAGE_VERSION)"

# Install what building and testing need (Debian/Ubuntu, as root).
deps:
	selftests/install-deps.sh

$(TOOLS_SRC)/.espif-unpacked:
	ESPIF_PREPARE=no selftests/vm/prepare-source.sh $(TOOLS_SERIES) $(ESPIF_CACHE) >/dev/null

tools: $(TOOLS_SRC)/.espif-unpacked

# Regenerate the uapi header and the kernel's policies from uapi/espif.yaml.
regen: tools
	uapi/regen.sh $(YNL)

# Fail when the committed generated files differ from what the spec gives.
check-regen: tools
	selftests/check.sh regen

style: tools
	selftests/check.sh style

# Every test: spec drift, style, the selftests in VMs on Debian's 6.1 and
# 6.12, the compile against 7.2, and DKMS builds.  Ends with a
# "N passed, N failed" line; exits non-zero on any failure.
check:
	selftests/check.sh

# The KUnit suites (kmod/tests) with kunit.py on a UML kernel built from
# linux-source-6.12 with espif linked in; KTAP out, non-zero on failure.
kunit:
	selftests/kunit.sh

# Every selftest on a debug kernel (KASAN, UBSAN, kmemleak, lockdep, debug
# objects) built from linux-source-6.12 and cached; any report fails.
check-debug:
	ESPIF_VM_TIMEOUT=$${ESPIF_VM_TIMEOUT:-14400} selftests/check.sh vm-debug

# ikehelper's libFuzzer harnesses, FUZZ_TIME seconds each (default 60).
FUZZ_TIME ?= 60
fuzz:
	ikehelper/tests/fuzz/run.sh $(FUZZ_TIME)

# One selftest in one VM, e.g. `make vm-test KERNEL=6.1 TEST=genl`.
KERNEL ?= 6.12
TEST ?=
vm-test: tools
	ESPIF_YNL=$(YNL) selftests/vm/run-vm.sh -k $(KERNEL) $(TEST)

demo: tools
	ESPIF_YNL=$(YNL) selftests/vm/run-vm.sh -k $(KERNEL) demo

clean:
	$(MAKE) -C $(KERNELDIR) M=$(CURDIR) clean 2>/dev/null || \
		find kmod -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' | xargs rm -f
	$(MAKE) -C ikehelper clean

help:
	@echo "module        build espif.ko for KERNELDIR ($(KERNELDIR))"
	@echo "ikehelper     build the IKEv2 helper"
	@echo "install       install both (module into updates/, then depmod)"
	@echo "dkms-install  copy the module sources to /usr/src/espif-$(PACKAGE_VERSION)"
	@echo "deps          apt-get install what building and testing need"
	@echo "regen         regenerate uapi/linux/espif.h, kmod/generated/ from uapi/espif.yaml"
	@echo "style         checkpatch.pl --strict over kmod/"
	@echo "check         every test (VMs on Debian 6.1 and 6.12, 7.2 compile, DKMS, style, spec drift)"
	@echo "check-debug   every selftest on a KASAN/kmemleak/lockdep kernel (slow)"
	@echo "fuzz          ikehelper's libFuzzer harnesses, FUZZ_TIME=60 s each"
	@echo "kunit         the KUnit suites (kunit.py, UML, linux-source-6.12)"
	@echo "vm-test       KERNEL=6.1|6.12 TEST=<name>: one selftest in one VM"
	@echo "demo          boot a VM and show espif at work"
	@echo "clean"

.PHONY: all module ikehelper install dkms-install deps tools regen check-regen style check check-debug fuzz kunit vm-test demo clean help
