/*
 * extern "C" door of the Participating IM Function (plain C types only).
 * One im_participating_t per worker process: it owns that process's
 * database connection, so it is opened after fork.
 */
#ifndef IM_PARTICIPATING_API_H
#define IM_PARTICIPATING_API_H

#include <stddef.h>

#include "im_bridge.h"
#include "im_shared.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_participating_params {
	const char *db_url;
	const char *trusted_core;
	int identity_from_header;
	const char *server_uri;
	const char *conference_factory_uri;
	const char *deferred_uri;
	const char *history_uri;
	int default_expires;
	int max_expires;
	/* Rows of each user table (settings, policy, access rules, willingness)
	 * a worker keeps between requests; 0: none (read per request). */
	int user_cache;
} im_participating_params_t;

typedef struct im_participating im_participating_t;

/* State every process shares: created in mod_init before fork, destroyed by
 * the process that created it. */
typedef struct im_participating_shared im_participating_shared_t;

/* max_registrations 0: no shared registration cache (every lookup reads the database). */
im_participating_shared_t *im_participating_shared_create(
		const im_shm_ops_t *ops, int max_registrations, char *err, size_t err_size);
void im_participating_shared_destroy(im_participating_shared_t *shared);

/* What a handled REGISTER changed, for the deferred-delivery hook. */
typedef enum im_registration_change {
	IM_REG_NONE = 0,
	IM_REG_REGISTERED,
	IM_REG_REFRESHED,
	IM_REG_DEREGISTERED
} im_registration_change_t;

typedef struct im_registration_info {
	char aor[256];
	char contact[512];
	long long expires_at;
	long long updated_at;
} im_registration_info_t;

/* Validates parameters and the database schema; 0 or -1 with err set. */
int im_participating_check(const im_participating_params_t *params, char *err, size_t err_size);

/* shared may be NULL (no cache). */
im_participating_t *im_participating_open(const im_participating_params_t *params,
		im_participating_shared_t *shared, char *err, size_t err_size);
void im_participating_close(im_participating_t *p);

/* Each fills *action (always) and returns 0, or -1 after an internal error
 * (then *action is a 500 reply). */
int im_participating_register(im_participating_t *p, const im_sip_request_t *req, im_action_t *action,
		im_registration_change_t *change);
int im_participating_originating(im_participating_t *p, const im_sip_request_t *req, im_action_t *action);
int im_participating_terminating(im_participating_t *p, const im_sip_request_t *req, im_action_t *action);
/* 6.2.6.1 step 6, appendix I: a NOTIFY of this server's presence
 * subscription to a served user; always a reply (200, or 403/400/415/489). */
int im_participating_presence_notify(im_participating_t *p, const im_sip_request_t *req, im_action_t *action);
/* 6.2.3.3 / 6.2.7.2: a re-INVITE or UPDATE in a session this server
 * proxies; served is the AOR of the user this server serves in it (whose
 * operator policy the new media must meet): a 488 verdict, or forward. */
int im_participating_session_modify(im_participating_t *p, const im_sip_request_t *req, im_str_t served,
		im_action_t *action);
/* The Participating Function in the media path: the SDP in a message body
 * (application/sdp, or the application/sdp part of multipart/mixed) with its
 * MSRP media anchored at relay_path (im/participating/media_anchor.hpp).
 * 1: replace *length bytes at *offset of the body with out[0..*out_len);
 * 0: the body has no SDP; -1: err says why (an SDP that does not parse, a
 * bad relay path, or out too small). */
int im_participating_anchor_media(im_str_t content_type, im_str_t body, const char *relay_path, size_t *offset,
		size_t *length, char *out, size_t out_size, size_t *out_len, char *err, size_t err_size);
/* The terminating checks on the copies this server made of one request (a
 * group MESSAGE), as im_request_checks_t.check_copies in im_bridge.h: the
 * originator is the first P-Asserted-Identity, trusted without a source
 * check because the copies never crossed the network. */
int im_participating_check_copies(im_participating_t *p, const im_sip_request_t *req, const im_str_t *recipients,
		int count, im_copy_verdict_t *verdicts);
/* Answers 500 for count copies: what check_copies answers for the copies it
 * could not decide, for a caller that could not even ask. */
void im_participating_copies_failed(im_copy_verdict_t *verdicts, int count);
int im_participating_publish_settings(im_participating_t *p, const im_sip_request_t *req, im_action_t *action);

/* Administration (RPC). Each writes a human-readable, line-oriented text
 * ("key: value" lines) into out and returns 0, or returns -1 with the
 * reason in out. */
int im_participating_settings_text(im_participating_t *p, const char *aor, char *out, size_t out_size);
int im_participating_policy_set(im_participating_t *p, const char *scope, const char *im_allowed,
		const char *max_size, const char *content_types, const char *anonymity_allowed,
		const char *group_advertisement_allowed, char *out, size_t out_size);
int im_participating_policy_remove(im_participating_t *p, const char *scope, char *out, size_t out_size);
int im_participating_policy_list_text(im_participating_t *p, char *out, size_t out_size);
int im_participating_access_set(im_participating_t *p, const char *owner, const char *peer, const char *kind,
		const char *action, char *out, size_t out_size);
int im_participating_access_remove(im_participating_t *p, const char *owner, const char *peer, const char *kind,
		char *out, size_t out_size);
int im_participating_access_list_text(im_participating_t *p, const char *owner, char *out, size_t out_size);

/* 1 and *out filled when aor has an active registration, 0 when not, -1 on error. */
int im_participating_registration(im_participating_t *p, const char *aor, im_registration_info_t *out);
/* Appendix H: the IM availability of the user `uri` names, as a PIDF
 * document (open when registered and visible) in doc, with the user's
 * normalized AOR in aor; returns 1 open, 0 closed, -1 on error or when a
 * buffer is too small. */
int im_participating_availability(im_participating_t *p, const char *uri, char *aor, size_t aor_size,
		char *doc, size_t doc_size);

/* Active registrations, or -1 on error. */
long long im_participating_active_registrations(im_participating_t *p);
/* Forgets users offline for longer than retention seconds; returns how many, or -1 on error. */
long long im_participating_purge_expired(im_participating_t *p, long long retention);

#ifdef __cplusplus
}
#endif

#endif
