/*
 * The conference focus (spec 7.2): Kamailio glue. The procedures are
 * im::controlling::ConferenceFocus (behind controlling_api.h); this file
 * answers through tm, with the To tag tm gives the INVITE's replies, and
 * sends the BYEs of the release policy in each participant's dialog.
 */
#ifndef IM_CONTROLLING_CONFERENCE_FOCUS_H
#define IM_CONTROLLING_CONFERENCE_FOCUS_H

#include "core/parser/msg_parser.h"
#include "core/counters.h"
#include "modules/sl/sl.h"
#include "modules/tm/tm_load.h"

#include "controlling_api.h"

typedef struct im_focus_stats {
	stat_var *joined;         /* participants who joined a session */
	stat_var *refused;        /* INVITEs the focus refused */
	stat_var *left;           /* participants who left (their BYE) */
	stat_var *released;       /* sessions the release policy ended */
	stat_var *byes_sent;      /* BYEs the focus sent */
	stat_var *relay_failures; /* INVITEs answered 503: the relay failed */
	stat_var *lost;           /* sessions ended because the relay lost them */
} im_focus_stats_t;

/* mod_init: the APIs and counters the focus uses. */
void im_focus_init(sl_api_t *sl, struct tm_binds *tm, const im_focus_stats_t *stats);

/* im_conference_invite(): an initial INVITE to a group or session identity;
 * always replies (the script stops). 0, or -1 before any reply (logged). */
int im_focus_invite(sip_msg_t *msg, im_controlling_t *svc);
/* im_conference_dialog(): a request in a participant's dialog; replies
 * (except to an ACK). 0, or -1 before any reply. */
int im_focus_dialog(sip_msg_t *msg, im_controlling_t *svc);

/* im_controlling.group_delete: deletes the group and releases its session
 * with BYEs to the participants (7.2.2.8). As im_controlling_group_delete. */
int im_focus_group_delete(im_controlling_t *svc, const char *uri, char *out, size_t out_size);

/* The watch (a timer process): sessions whose relay conference is gone are
 * ended with BYEs. open_service gives the process's controlling service. */
void im_focus_watch(im_controlling_t *svc);

#endif
