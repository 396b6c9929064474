/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: raw ESP (IP protocol 50) reception, shared with xfrm.
 */
#ifndef _ESPIF_PROTO_H
#define _ESPIF_PROTO_H

int espif_proto_init(void);
void espif_proto_uninit(void);

#endif /* _ESPIF_PROTO_H */
