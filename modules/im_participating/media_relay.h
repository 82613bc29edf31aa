/*
 * The Participating Function in the media path (spec 6.2.3.2 step 2,
 * 6.2.3.3, 6.2.4.2 step 1): an IM session's MSRP media anchored at the
 * MSRP relay (a two-party relay session per SIP session), its SDP offers and
 * answers carrying the paths the relay hands out. The relay session lives
 * as long as the dialog; a relay session the relay no longer has (restart,
 * idle expiry) ends its SIP session with a BYE to both sides.
 */
#ifndef IM_PARTICIPATING_MEDIA_RELAY_H
#define IM_PARTICIPATING_MEDIA_RELAY_H

#include "core/parser/msg_parser.h"
#include "core/counters.h"

typedef struct im_media_relay_params {
	char *control_socket; /* the relay's control socket */
	int timeout_ms;       /* per control call */
	int watch_interval;   /* seconds between checks that the sessions still exist; 0: none */
} im_media_relay_params_t;

typedef struct im_media_relay_stats {
	stat_var *anchored;      /* sessions anchored at the relay */
	stat_var *unavailable;   /* anchoring refused: relay unreachable or refused */
	stat_var *lost;          /* SIP sessions ended because the relay lost their media session */
	stat_var *active;        /* anchored sessions now (a gauge) */
} im_media_relay_stats_t;

/* mod_init: binds the dialog API and creates the shared list of anchored
 * sessions and the watch process. 0, or -1 (logged). */
int im_media_relay_init(const im_media_relay_params_t *params, const im_media_relay_stats_t *stats);
/* child_init: forks the watch process from PROC_MAIN. */
int im_media_relay_child_init(int rank);
void im_media_relay_destroy(void);

/* im_session_relay(): an INVITE, UPDATE, ACK or PRACK of a session, after
 * dlg_manage() (initial INVITE) or loose_route() (in a dialog). 1 done or
 * nothing to do, -1 the relay cannot take the session (the script answers). */
int im_media_relay_request(sip_msg_t *msg);
/* im_session_relay_answer(): in onreply_route, the SDP of a reply to a
 * request im_session_relay() saw. 1, or -1 on error (logged). */
int im_media_relay_reply(sip_msg_t *msg);

#endif
