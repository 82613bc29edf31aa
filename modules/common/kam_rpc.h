/*
 * RPC helpers shared by the IM modules: string arguments in, "key: value"
 * text lines out.
 */
#ifndef IM_KAM_RPC_H
#define IM_KAM_RPC_H

#include "core/str.h"
#include "core/rpc.h"

/* Reads `required` string arguments and up to `optional` more into args
 * (NUL-terminated copies in buf; absent optional ones are ""). Numbers are
 * converted: kamcmd sends "0" as an integer. -1 after a fault was sent. */
int kam_rpc_strings(rpc_t *rpc, void *ctx, int required, int optional, char *args[], char *buf, int size);

/* Sends each line of text as one value, or a 400 fault with text when rc < 0.
 * text is modified. */
void kam_rpc_text_reply(rpc_t *rpc, void *ctx, int rc, char *text);

#define KAM_RPC_TEXT_SIZE 65536

/* Defines an RPC handler fn that reads `required` + `optional` arguments
 * into args[], gets the per-process service with get(), and replies with the
 * text `call` writes into out (call sees svc, args, out). */
#define KAM_TEXT_RPC(fn, service_type, get, required, optional, call)             \
	static void fn(rpc_t *rpc, void *ctx)                                         \
	{                                                                             \
		char *args[6], buf[4096];                                                 \
		static char out[KAM_RPC_TEXT_SIZE];                                       \
		service_type *svc = get();                                                \
		if(svc == NULL) {                                                         \
			rpc->fault(ctx, 500, "database not available");                       \
			return;                                                               \
		}                                                                         \
		if(kam_rpc_strings(rpc, ctx, required, optional, args, buf, sizeof(buf)) < 0) \
			return;                                                               \
		kam_rpc_text_reply(rpc, ctx, call, out);                                  \
	}

#endif
