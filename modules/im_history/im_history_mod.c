/*
 * im_history: the History Function (spec 11.2, 11.3, appendix L):
 * conversation recording, storage with metadata, retrieval.
 * Kamailio glue only; the procedures live in the C++ core.
 */
#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"

#include "kam_module_db.h"

MODULE_VERSION

static char *db_url = "sqlite:///var/lib/im-server/im.db";
static char *history_uri = "sip:history@example.com";

static kam_module_db_t database = {"im_history", &db_url, NULL, 0};

static const char *rpc_status_doc[] = {"History Function status: recorded conversations and messages.", 0};

static void rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;

	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "sss", "module", "im_history", "state", "running", "history_uri", history_uri);
	if(kam_module_db_rpc_counts(&database, rpc, th) < 0)
		rpc->struct_add(th, "s", "database", "unavailable");
}

static rpc_export_t rpc_cmds[] = {
	{"im_history.status", rpc_status, rpc_status_doc, 0},
	{0, 0, 0, 0}
};

static int mod_init(void)
{
	if(kam_module_db_check(&database) < 0)
		return -1;
	if(rpc_register_array(rpc_cmds) != 0) {
		LM_ERR("cannot register RPC commands\n");
		return -1;
	}
	return 0;
}

static void mod_destroy(void)
{
	kam_module_db_close(&database);
}

static param_export_t params[] = {
	{"db_url", PARAM_STRING, &db_url},
	{"history_uri", PARAM_STRING, &history_uri},
	{0, 0, 0}
};

struct module_exports exports = {
	"im_history",
	DEFAULT_DLFLAGS,
	0,
	params,
	0, /* RPC commands are registered in mod_init */
	0,
	0,
	mod_init,
	0,
	mod_destroy
};
