#include "kam_rpc.h"

#include <string.h>

int kam_rpc_strings(rpc_t *rpc, void *ctx, int required, int optional, char *args[], char *buf, int size)
{
	int i, used = 0;
	str arg;

	for(i = 0; i < required + optional; i++) {
		args[i] = "";
		/* "." converts numbers to strings; "*" makes the rest optional. */
		if(rpc->scan(ctx, i < required ? ".S" : "*.S", &arg) < 1) {
			if(i < required)
				return -1;
			continue;
		}
		if(used + arg.len + 1 > size) {
			rpc->fault(ctx, 400, "arguments too long");
			return -1;
		}
		memcpy(buf + used, arg.s, arg.len);
		buf[used + arg.len] = '\0';
		args[i] = buf + used;
		used += arg.len + 1;
	}
	return 0;
}

void kam_rpc_text_reply(rpc_t *rpc, void *ctx, int rc, char *text)
{
	char *line, *next;

	if(rc < 0) {
		rpc->fault(ctx, 400, "%s", text);
		return;
	}
	for(line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if(next)
			*next++ = '\0';
		rpc->rpl_printf(ctx, "%s", line);
	}
}
