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

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "espif needs Linux 6.1 or newer (see dkms.conf BUILD_EXCLUSIVE_KERNEL_MIN)"
#endif

#endif /* _ESPIF_COMPAT_H */
