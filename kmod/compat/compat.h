/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: differences between the kernels espif builds against (6.1 and
 * newer), force-included into every file by kmod/Kbuild so that the rest of
 * the code is written against the newest API and stays free of version
 * checks.  Probe for the feature (a macro, a header) rather than for a
 * version number wherever that is possible.
 */
#ifndef _ESPIF_COMPAT_H
#define _ESPIF_COMPAT_H

#include <net/genetlink.h>

/*
 * The floor: 6.1 is the oldest kernel espif is tested on.  Its newest
 * netlink helper that espif relies on is GENL_REQ_ATTR_CHECK (6.1); older
 * kernels lack it and fail here with a clear message rather than deep in
 * the generated code.  dkms.conf refuses them before building.
 */
#ifndef GENL_REQ_ATTR_CHECK
#error "espif needs Linux 6.1 or newer (dkms.conf: BUILD_EXCLUSIVE_KERNEL_MIN)"
#endif

#endif /* _ESPIF_COMPAT_H */
