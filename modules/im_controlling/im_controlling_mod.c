/*
 * im_controlling: the Controlling IM Function (spec 7.2, 8.3, 9.3): group
 * pager-mode exploder, conference focus and Large Message Mode. It drives
 * the external MSRP relay over the relay's control socket.
 * Kamailio glue only; the procedures live in the C++ core.
 */
#include <string.h>

#include "core/sr_module.h"
#include "core/dprint.h"
#include "core/rpc.h"
#include "core/rpc_lookup.h"
#include "core/counters.h"

#include "kam_module_db.h"
#include "module_api.h"

MODULE_VERSION

static char *db_url = "sqlite:///var/lib/im-server/im.db";
static char *relay_control_socket = "/run/im-server/msrp-relay.sock";
static int relay_timeout = 1000;
static char *conference_factory_uri = "sip:conference-factory@example.com";

static kam_module_db_t database = {"im_controlling", &db_url, NULL, 0};

static stat_var *relay_unreachable;

static stat_export_t mod_stats[] = {
	{"relay_unreachable", 0, &relay_unreachable},
	{0, 0, 0}
};

static const char *rpc_status_doc[] = {"Controlling IM Function status: groups and MSRP relay reachability.", 0};

static void rpc_status(rpc_t *rpc, void *ctx)
{
	void *th;
	im_relay_status_t relay;
	char err[256];
	int relay_ok = im_relay_status(relay_control_socket, relay_timeout, &relay, err, sizeof(err)) == 0;

	if(!relay_ok)
		update_stat(relay_unreachable, 1);
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "ssss", "module", "im_controlling", "state", "running",
			"conference_factory_uri", conference_factory_uri,
			"relay", relay_ok ? "reachable" : "unreachable");
	if(kam_module_db_rpc_counts(&database, rpc, th) < 0)
		rpc->struct_add(th, "s", "database", "unavailable");
}

static const char *rpc_relay_status_doc[] = {"The MSRP relay's own STATUS: uptime, connections, sessions, bytes.", 0};

static void rpc_relay_status(rpc_t *rpc, void *ctx)
{
	void *th;
	int i;
	im_relay_status_t relay;
	char err[256];

	if(im_relay_status(relay_control_socket, relay_timeout, &relay, err, sizeof(err)) < 0) {
		update_stat(relay_unreachable, 1);
		rpc->fault(ctx, 503, "MSRP relay unreachable: %s", err);
		return;
	}
	if(rpc->add(ctx, "{", &th) < 0)
		return;
	rpc->struct_add(th, "s", "control_socket", relay_control_socket);
	for(i = 0; i < relay.field_count; i++)
		rpc->struct_add(th, "s", relay.key[i], relay.value[i]);
}

static rpc_export_t rpc_cmds[] = {
	{"im_controlling.status", rpc_status, rpc_status_doc, 0},
	{"im_controlling.relay_status", rpc_relay_status, rpc_relay_status_doc, 0},
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
	if(register_module_stats("im_controlling", mod_stats) != 0) {
		LM_ERR("cannot register statistics\n");
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
	{"relay_control_socket", PARAM_STRING, &relay_control_socket},
	{"relay_timeout", INT_PARAM, &relay_timeout},
	{"conference_factory_uri", PARAM_STRING, &conference_factory_uri},
	{0, 0, 0}
};

struct module_exports exports = {
	"im_controlling",
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
