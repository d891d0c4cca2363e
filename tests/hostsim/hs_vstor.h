/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hs_vstor.h - the storage controllers of hv_hostsim, shared by hs_vstor.c
 * (VSTOR, fact sheet E: negotiation, sub-channels, SRB transport, resets,
 * unsolicited messages, faults) and hs_scsi.c (the SCSI target: LUNs kept
 * in RAM, sparse, and the commands a Linux sd/sr guest sends).
 *
 * Locking: hs_vstor.luns_sem guards the LUN list: I/O (every channel's
 * io_work) holds it for reading while it executes a command, hot add and
 * remove (debugfs, under hs.lock) for writing. hs_lun.lock guards a LUN's
 * chunks (two channels may write the same LUN). held_lock guards the
 * requests the drop_completion fault keeps.
 */
#ifndef HS_VSTOR_H
#define HS_VSTOR_H

#include <linux/rwsem.h>
#include <linux/xarray.h>
#include "hostsim.h"

#define HS_BLOCK		512		/* logical block bytes */
#define HS_CHUNK		4096		/* allocation unit of a LUN */
#define HS_SENSE_LEN		18		/* fixed-format sense we build */
#define HS_VBUF			4096		/* per-channel response buffer */
#define HS_MAX_UNMAP_BLOCKS	0x100000	/* VPD B0: 512 MiB per UNMAP */
#define HS_MAX_UNMAP_DESC	64		/* VPD B0: descriptors per UNMAP */
#define HS_MAX_WS_BLOCKS	0x100000	/* VPD B0: WRITE SAME length */
#define HS_DELAY_MS		2000		/* delay_completion */
#define HS_STATUS_REVISION_MISMATCH	0xc0000059U	/* NT status */

enum hs_vs_kind { HS_VS_SCSI, HS_VS_IDE, HS_VS_FC };

/* One LUN: RAM backed, a 4 KiB chunk allocated on first write. */
struct hs_lun {
	struct list_head node;		/* hs_vstor.luns, by target then lun */
	u8 target, lun;
	u32 size_mb;
	u64 nblocks;			/* 512-byte blocks */
	struct mutex lock;		/* chunks, nchunks */
	struct xarray chunks;		/* chunk index -> 4 KiB buffer */
	unsigned long nchunks;
	char serial[24];		/* VPD 0x80 */
	u8 naa[8];			/* VPD 0x83, NAA 5 */
	atomic64_t reads, writes, unmaps, write_same;
	atomic64_t bytes_read, bytes_written;
};

/* One controller (a primary channel and its sub-channels). */
struct hs_vstor {
	struct hs_chan *primary;
	enum hs_vs_kind kind;
	/* the session: written by the primary's io_work, read by all */
	int begun;			/* BEGIN_INITIALIZATION seen */
	int ended;			/* END_INITIALIZATION seen */
	u16 version;			/* negotiated, 0 before */
	unsigned int subch_want;	/* CREATE_SUB_CHANNELS: total asked */
	struct rw_semaphore luns_sem;
	struct list_head luns;
	spinlock_t held_lock;
	struct list_head held;		/* hs_vpend of dropped completions */
	u8 port_wwn[8], node_wwn[8];	/* FC (E: FCHBA_DATA) */
};

/*
 * A completion (or unsolicited packet) that a channel's io_work writes
 * later: on ch->pend (next), ch->timed (at @due) or vs->held (at a reset).
 */
struct hs_vpend {
	struct list_head node;
	struct hs_chan *ch;		/* the channel it goes out on */
	unsigned long due;		/* jiffies, for ch->timed */
	u8 target, lun;			/* the LUN it addressed */
	u64 trans_id;			/* 0: unsolicited, in-band */
	u32 len;			/* bytes of @pkt on the wire */
	struct vstor_packet pkt;
};

/* A command on its way through the SCSI target. */
struct hs_srb {
	struct hs_vstor *vs;
	struct hs_lun *lun;		/* NULL: no such LUN */
	int target_exists;		/* some LUN at this target */
	u8 target, lunid;
	const u8 *cdb;			/* VSTOR_CDB_SIZE bytes */
	u8 cdb_len;
	u8 data_in;			/* VSTOR_READ/WRITE/UNKNOWN_TYPE */
	u32 xfer_len;			/* data_transfer_length asked */
	const struct hs_gpa_range *range;	/* the data, or NULL */
	u8 *buf;			/* HS_VBUF bytes of scratch */
	/* results */
	u8 srb_status;			/* SRB_STATUS_*, AUTOSENSE_VALID added */
	u8 scsi_status;
	u8 sense[HS_SENSE_LEN];
	u8 sense_len;
	u32 done;			/* bytes transferred */
};

/* hs_scsi.c */
int hs_scsi_dir(const u8 *cdb);
int hs_scsi_is_rw(const u8 *cdb);
void hs_scsi_exec(struct hs_srb *r);
struct hs_lun *hs_lun_new(struct hs_vstor *vs, u32 relid, u8 target, u8 lun,
			  u32 size_mb);
void hs_lun_free(struct hs_lun *l);
void hs_scsi_sense(struct hs_srb *r, u8 key, u8 asc, u8 ascq);

#endif /* HS_VSTOR_H */
