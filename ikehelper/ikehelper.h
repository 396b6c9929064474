/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikehelper: the IKEv2 helper that keys espif interfaces.
 */
#ifndef IKEHELPER_H
#define IKEHELPER_H

#define PROG_NAME "ikehelper"

int show_main(int argc, char *argv[]);
int daemon_main(int argc, char *argv[]);

#endif
