/*
 * The only door between Kamailio (C) and the IM core (C++): plain C types.
 * The module glue (*_mod.c) fills an im_sip_request_t from sip_msg_t and
 * applies the im_action_t the core returns. No exception crosses this door.
 */
#ifndef IM_BRIDGE_H
#define IM_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_str {
	const char *s;
	int len;
} im_str_t;

#define IM_MAX_HEADER_VALUES 8

typedef struct im_sip_request {
	im_str_t method;
	im_str_t request_uri;
	im_str_t from_uri;
	im_str_t to_uri;
	im_str_t to_tag;
	im_str_t call_id;
	im_str_t contact;
	im_str_t content_type;
	im_str_t body;
	im_str_t privacy;
	im_str_t expires;
	int has_expires;
	im_str_t event;
	im_str_t sip_if_match;
	im_str_t date;
	im_str_t asserted_identity[IM_MAX_HEADER_VALUES];
	int asserted_identity_count;
	im_str_t accept_contact[IM_MAX_HEADER_VALUES];
	int accept_contact_count;
	im_str_t source_ip;
	int source_port;
	im_str_t transport;
} im_sip_request_t;

/* Why a request was refused: one statistic "rejected_<name>" each. The list
 * is shared by the C glue and the C++ core (X-macro). */
#define IM_REJECTIONS(X) \
	X(feature_tag)       /* no +g.oma.sip-im in Accept-Contact */ \
	X(identity)          /* no or untrusted asserted identity */ \
	X(not_allowed)       /* user may not use IM, or not the owner */ \
	X(size)              /* message larger than the policy allows */ \
	X(content_type)      /* content type outside the policy */ \
	X(anonymity)         /* anonymity requested, not allowed */ \
	X(malformed)         /* a malformed header or document */ \
	X(barred)            /* incoming barring set by the user */ \
	X(access_list)       /* the receiving user's access list */ \
	X(not_registered)    /* the user is not registered */ \
	X(invisible)         /* the user is invisible */ \
	X(bad_event)         /* PUBLISH for another event package */ \
	X(entity_tag)        /* unknown SIP-If-Match */ \
	X(not_found)         /* no such group or conference (7.6.1) */ \
	X(too_many)          /* more recipients than the local policy allows */ \
	X(expired)           /* Expires (from Date) passed before delivery (RFC 3428) */ \
	X(media)             /* session media outside the offer rules or the policy (488) */ \
	X(unwilling)         /* the user published Willingness for IM closed */ \
	X(other)

typedef enum im_rejection {
	IM_REJECT_NONE = 0,
#define IM_REJECTION_ENUM(name) IM_REJECT_##name,
	IM_REJECTIONS(IM_REJECTION_ENUM)
#undef IM_REJECTION_ENUM
	IM_REJECT_COUNT
} im_rejection_t;

/* What the glue does next when the action does not reply. */
typedef enum im_next {
	IM_NEXT_FORWARD = 1,
	IM_NEXT_CONTROLLING = 2
} im_next_t;

#define IM_ACTION_TEXT 2048

typedef struct im_action {
	int reply_code;                          /* 0: no reply, go on */
	im_rejection_t rejection;                /* why, when reply_code refuses */
	char reply_reason[128];
	char reply_headers[IM_ACTION_TEXT];      /* "Name: value\r\n" lines */
	im_next_t next;
	char request_uri[512];                   /* new R-URI when not empty */
	char request_headers[IM_ACTION_TEXT];    /* appended to the request */
	int record_history;                      /* 1: run the history hook (6.2.2.1 step 4) */
} im_action_t;

/* What a recipient's checks decided about one copy (im_request_checks_t). */
typedef struct im_copy_verdict {
	int reply_code;            /* 0: deliver it; otherwise the refusal's code */
	im_rejection_t rejection;  /* why, when refused */
	im_str_t reason;           /* the refusal's reason phrase */
	im_str_t request_uri;      /* delivered: the recipient's IM address, the copy's Request-URI */
	im_str_t request_headers;  /* delivered: "Name: value\r\n" lines the copy gets */
} im_copy_verdict_t;

/* One module asking another's procedure about requests it made itself:
 * im_controlling asks im_participating's terminating checks about the
 * copies of a group MESSAGE, all in one call. */
typedef struct im_request_checks {
	/* req is every copy as its recipient's function sees it, but for its
	 * Request-URI and To, which are recipients[i] for copy i. Fills
	 * verdicts[0..count); their texts stay valid until the next call in
	 * this process. The recipients' rows are read in one database snapshot,
	 * each concern in one query for those not cached. Returns 0, or -1
	 * after an internal error (the verdicts not decided are then 500). */
	int (*check_copies)(const im_sip_request_t *req, const im_str_t *recipients, int count,
			im_copy_verdict_t *verdicts);
} im_request_checks_t;

#ifdef __cplusplus
}
#endif

#endif
