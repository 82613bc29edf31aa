/*
 * extern "C" door shared by the IM modules: the module's database (schema
 * check, row counts for status) and the MSRP relay's control interface.
 */
#ifndef IM_MODULE_API_H
#define IM_MODULE_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct im_module_db im_module_db_t;

/* A dialog a module keeps to send a request in it later (the focus's BYEs,
 * the History Function's NOTIFY), where the module was the UAS of the
 * request that created it. NUL-terminated strings; cseq is the CSeq the
 * next request gets. */
typedef struct im_dialog {
	const char *call_id;
	const char *local_tag;
	const char *remote_tag;
	const char *local_uri;
	const char *remote_uri;
	const char *remote_target;
	const char *route_set; /* comma-separated Record-Route values, "" none */
	const char *socket;    /* "proto:ip:port" to send from, "" any */
	int cseq;
} im_dialog_t;

/* module is "im_participating", "im_controlling", "im_deferred" or "im_history". */
int im_module_db_check(const char *module, const char *db_url, char *err, size_t err_size);
im_module_db_t *im_module_db_open(const char *module, const char *db_url, char *err, size_t err_size);
void im_module_db_close(im_module_db_t *db);
/* Rows of one of the module's own tables, or -1. */
long long im_module_db_count(im_module_db_t *db, const char *table);
/* The module's tables, NULL-terminated, for status output. */
const char *const *im_module_tables(const char *module);

#define IM_RELAY_MAX_FIELDS 32

typedef struct im_relay_status {
	int field_count;
	char key[IM_RELAY_MAX_FIELDS][32];
	char value[IM_RELAY_MAX_FIELDS][128];
} im_relay_status_t;

/* Asks the relay for STATUS over its control socket. 0, or -1 with err set. */
int im_relay_status(const char *socket_path, int timeout_ms, im_relay_status_t *out, char *err, size_t err_size);

/* A two-party relay session (SESSION_CREATE relay): side A sends to path_a,
 * side B to path_b; the *_tls paths are empty unless the relay has TLS. */
typedef struct im_relay_created {
	char session[64];
	char path_a[256];
	char path_b[256];
	char path_a_tls[256];
	char path_b_tls[256];
} im_relay_created_t;

/* 0, or -1 with err set (relay unreachable, or it refused). */
int im_relay_session_create(const char *socket_path, int timeout_ms, im_relay_created_t *out, char *err, size_t err_size);
/* 0 (deleted, or the relay did not know it), or -1 with err set. */
int im_relay_session_delete(const char *socket_path, int timeout_ms, const char *session, char *err, size_t err_size);
/* Asks the relay for every session it has and sets gone[i] to 1 for each
 * ids[i] it does not have (0 otherwise). 0, or -1 with err set. */
int im_relay_sessions_gone(const char *socket_path, int timeout_ms, const char *const *ids, int count,
		unsigned char *gone, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif
