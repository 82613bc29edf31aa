/*
 * Dialogs where an IM module is the UAS of the request that created them
 * (the focus's INVITEs, the History Function's REFERs): what the module
 * keeps of the request, and the requests it sends in the dialog later
 * (BYE, NOTIFY) through tm. C only, Kamailio headers.
 */
#ifndef IM_KAM_DIALOG_H
#define IM_KAM_DIALOG_H

#include "core/parser/msg_parser.h"
#include "modules/tm/tm_load.h"

#include "module_api.h"

#define KAM_DIALOG_ROUTE_SET 2048
#define KAM_DIALOG_TAG 128
#define KAM_DIALOG_TARGET 512
#define KAM_DIALOG_ADDRESS 256
#define KAM_DIALOG_SOCKET 128

/* The request's transaction, created here when the script has none, so
 * that a retransmission gets the same reply instead of being run again.
 * 1 go on, 0 a retransmission tm absorbed, -1 error. */
int kam_ensure_transaction(struct tm_binds *tmb, sip_msg_t *msg);

/* Copies s into buf as a C string; -1 when it does not fit. */
int kam_copy_str(const str *s, char *buf, int size);

/* The request's Record-Route values in order, comma-separated (RFC 3261
 * 12.1.1: the UAS's route set). 0, or -1 when they do not fit. */
int kam_route_set_of(sip_msg_t *msg, char *buf, int size);

/* "host:port[;transport=x]" of the socket the request came in on, as it is
 * advertised: where in-dialog requests come back to. 0, or -1. */
int kam_local_address_of(sip_msg_t *msg, char *buf, int size);

/* The dialog a request creates where the module is its UAS, as RFC 3261
 * 12.1.1 has the UAS keep it. */
typedef struct kam_uas_dialog {
	char call_id[KAM_DIALOG_TARGET];
	char local_tag[KAM_DIALOG_TAG];     /* the To tag of the module's reply */
	char remote_tag[KAM_DIALOG_TAG];    /* the From tag */
	char local_uri[KAM_DIALOG_TARGET];  /* the To URI */
	char remote_uri[KAM_DIALOG_TARGET]; /* the From URI */
	char remote_target[KAM_DIALOG_TARGET]; /* the Contact URI */
	char route_set[KAM_DIALOG_ROUTE_SET];
	char socket[KAM_DIALOG_SOCKET];    /* "proto:ip:port" it arrived on */
} kam_uas_dialog_t;

/* Fills d from msg, inside its transaction (the To tag is the one tm gives
 * the replies). 0; -1 when msg lacks what a dialog needs (a From tag, a
 * Contact) or a part does not fit (a 400); -2 when tm has no To tag (500). */
int kam_uas_dialog_of(struct tm_binds *tmb, sip_msg_t *msg, kam_uas_dialog_t *d);


/* out viewing d, for a request with CSeq cseq. */
void kam_dialog_view(const kam_uas_dialog_t *d, int cseq, im_dialog_t *out);

/* Sends `method` in the dialog (tm's t_request_within), with extra header
 * lines and an optional body; completed is called with its final reply.
 * 0, or -1 (logged). */
int kam_send_within(struct tm_binds *tmb, const im_dialog_t *dialog, const char *method,
		const char *headers, const char *body, transaction_cb completed);

#endif
