/*
 * extern "C" door of the Controlling IM Function (plain C types only).
 * One im_controlling_t per process (its own database connection).
 */
#ifndef IM_CONTROLLING_API_H
#define IM_CONTROLLING_API_H

#include <stddef.h>

#include "im_bridge.h"
#include "im_shared.h"
#include "module_api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_controlling_params {
	const char *db_url;
	const char *trusted_core;
	int identity_from_header;
	const char *conference_factory_uri;
	int uri_list_service;
	int max_recipients;
	/* SIP URI the copies whose recipient's terminating checks ran here are
	 * sent to: the core's delivery socket (e.g. "sip:127.0.0.1:5062");
	 * empty: never check here. */
	const char *delivery_proxy;
	/* Groups (present or absent) each process keeps read from the database;
	 * 0: no cache, every group MESSAGE reads the database. */
	int group_cache;
	/* The MSRP relay, the conference focus's MSRP switch. */
	const char *relay_control_socket;
	int relay_timeout_ms;
	/* Session-Expires the focus gives participants (refresher=uac). */
	int session_expires;
	/* 7.2.2.8 number-of-remaining-participants (0 or 1). */
	int remaining_participants;
} im_controlling_params_t;

typedef struct im_controlling im_controlling_t;

/* What every process shares, created once before the fork: the generation
 * of the groups, moved by every change so that each worker drops its group
 * cache before its next request. */
typedef struct im_controlling_shared im_controlling_shared_t;
im_controlling_shared_t *im_controlling_shared_create(const im_shm_ops_t *ops, char *err, size_t err_size);
/* Only in the process that created it, when no other uses it any more. */
void im_controlling_shared_destroy(im_controlling_shared_t *shared);

/* What becomes of one copy after its recipient's terminating checks. */
typedef enum im_copy_fate {
	IM_COPY_DELIVER = 1,      /* checked here: send it to delivery_proxy, which delivers it */
	IM_COPY_CHECK_REMOTE = 2, /* not served here: send it through the core's terminating filter */
	IM_COPY_REFUSED = 3       /* refused by the recipient's checks: do not send */
} im_copy_fate_t;

/* One copy (8.3.2.1); the strings live until the sink returns. */
typedef struct im_copy {
	im_str_t request_uri;
	im_str_t from;
	im_str_t to;
	im_str_t headers;
	im_str_t body;
	im_copy_fate_t fate;
	int refusal_code;           /* IM_COPY_REFUSED: the recipient's answer */
	const char *refusal_reason; /* NUL-terminated */
	im_rejection_t rejection;
} im_copy_t;

/* Handles one copy; returns 0, or -1 when a copy to send could not be sent. */
typedef int (*im_copy_sink_f)(void *ctx, const im_copy_t *copy);

int im_controlling_check(const im_controlling_params_t *params, char *err, size_t err_size);
/* shared NULL: no group cache. */
im_controlling_t *im_controlling_open(const im_controlling_params_t *params, im_controlling_shared_t *shared,
		char *err, size_t err_size);
void im_controlling_close(im_controlling_t *c);

/* 1 when the Request-URI is the conference factory or a group of this server, 0 when not, -1 on error. */
int im_controlling_owns(im_controlling_t *c, const im_sip_request_t *req);

/* Spec 8.3.1.1: fills *action (202 or a refusal) and, for 202, runs the
 * recipients' terminating checks through checks (NULL, or no check
 * function: every copy is then IM_COPY_CHECK_REMOTE) and hands every copy
 * to sink before returning.
 * Returns the number of copies the sink failed to send, or -1 after an
 * internal error (then *action is a 500). */
int im_controlling_group_message(im_controlling_t *c, const im_sip_request_t *req, im_action_t *action,
		const im_request_checks_t *checks, im_copy_sink_f sink, void *sink_ctx, int *copies);

/* The conference focus (spec 7.2). */

/* The focus's side of an initial INVITE's dialog, from the glue. */
typedef struct im_focus_invite {
	const char *local_tag;      /* the To tag the reply will carry */
	const char *remote_tag;     /* the From tag */
	const char *route_set;      /* Record-Route values in order, comma-separated */
	const char *remote_target;  /* the Contact URI */
	const char *socket;         /* "proto:ip:port" it arrived on */
	const char *focus_address;  /* "host:port[;transport=x]" of this server */
	int timer_supported;        /* Supported: timer */
} im_focus_invite_t;

#define IM_FOCUS_BODY 8192

/* The reply to a request for the focus: action (code 0: none) and its body. */
typedef struct im_focus_reply {
	im_action_t action;
	char body[IM_FOCUS_BODY]; /* application/sdp, "" for none */
	char conference[64];      /* the session joined (200 to an INVITE) */
	int switch_failed;        /* the relay could not be reached or refused */
	int session_ended;        /* the release policy ended the session */
} im_focus_reply_t;

/* A participant the focus ends with a BYE (7.2.1.9): its dialog as stored. */
typedef struct im_focus_bye {
	const char *conference;
	const char *identity;
	im_dialog_t dialog; /* cseq: the BYE's */
} im_focus_bye_t;
typedef void (*im_focus_bye_f)(void *ctx, const im_focus_bye_t *bye);

/* 1 when the Request-URI is a session identity of the focus, 0 when not. */
int im_controlling_focus_uri(im_controlling_t *c, const im_sip_request_t *req);
/* An initial INVITE to a group or session identity (7.2.1.3-7.2.1.5):
 * fills out (200 with the SDP answer, or a refusal; 503 when the relay
 * failed, 500 after an internal error). Returns 0, or -1 on an internal error. */
int im_controlling_focus_invite(im_controlling_t *c, const im_sip_request_t *req, const im_focus_invite_t *invite,
		im_focus_reply_t *out);
/* A request in a participant's dialog (to_tag the focus's); bye is called
 * for every participant to end (release policy). Returns the number of
 * BYEs, or -1 on an internal error (out is then a 500). */
int im_controlling_focus_dialog(im_controlling_t *c, const im_sip_request_t *req, im_focus_reply_t *out,
		im_focus_bye_f bye, void *bye_ctx);

/* Ends the sessions whose relay conference is gone, calling bye for every
 * participant. Returns the number of BYEs, -2 when the relay does not
 * answer (nothing ended; the reason in err), -1 on an internal error. */
int im_controlling_focus_watch(im_controlling_t *c, im_focus_bye_f bye, void *bye_ctx, char *err, size_t err_size);

/* Group administration for RPC: "key: value" lines into out; 0, or -1 with the reason. */
int im_controlling_group_create(im_controlling_t *c, const char *uri, const char *display_name, char *out, size_t out_size);
/* Deleting a group releases its session at once (7.2.2.8): bye is called
 * for every participant, and *session_released says whether it had one. */
int im_controlling_group_delete(im_controlling_t *c, const char *uri, im_focus_bye_f bye, void *bye_ctx,
		int *session_released, char *out, size_t out_size);
int im_controlling_group_show(im_controlling_t *c, const char *uri, char *out, size_t out_size);
int im_controlling_group_list(im_controlling_t *c, char *out, size_t out_size);
int im_controlling_group_set(im_controlling_t *c, const char *uri, const char *attribute, const char *value,
		char *out, size_t out_size);
int im_controlling_member_add(im_controlling_t *c, const char *group, const char *member, const char *nickname,
		const char *role, char *out, size_t out_size);
int im_controlling_member_remove(im_controlling_t *c, const char *group, const char *member, char *out, size_t out_size);

#ifdef __cplusplus
}
#endif

#endif
