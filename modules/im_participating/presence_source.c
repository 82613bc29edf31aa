#include "presence_source.h"

#include <stdio.h>
#include <string.h>

#include "core/dprint.h"
#include "core/sr_module.h"
#include "modules/pua/pua_bind.h"
#include "modules/pua/pua.h"

/* pua tells its users apart by these flags; above the ones Kamailio's own pua_* modules use. */
#define IM_SOURCE_PUBLISH (1 << 20)
#define IM_SOURCE_WATCH (1 << 21)

static pua_api_t pua;
static str server_uri = {0, 0};
static int publish_expires = 3600;
static str publication_id = str_init("IM_AVAILABILITY");
static str subscription_id = str_init("IM_WILLINGNESS");
static str pidf_type = str_init("application/pidf+xml");
static str contact_uri = {0, 0};
/* The watcher (From of the subscriptions) must have a user part for the
 * presence server's watchers table: im-server@ in front of server_uri's host. */
static char watcher_buf[256];
static str watcher_uri = {0, 0};

int im_presence_source_init(const char *server, int expires, const char *watcher)
{
	bind_pua_t bind;

	if(server == NULL || *server == '\0')
		return 0;
	bind = (bind_pua_t)find_export("bind_pua", 1, 0);
	if(bind == NULL || bind(&pua) < 0) {
		LM_ERR("presence_server is set: load pua.so (and its db_url) before im_participating\n");
		return -1;
	}
	server_uri.s = (char *)server;
	server_uri.len = (int)strlen(server);
	contact_uri.s = (char *)watcher;
	contact_uri.len = (int)strlen(watcher);
	if(strchr(watcher, '@') != NULL || strncmp(watcher, "sip:", 4) != 0)
		snprintf(watcher_buf, sizeof(watcher_buf), "%s", watcher);
	else
		snprintf(watcher_buf, sizeof(watcher_buf), "sip:im-server@%s", watcher + 4);
	watcher_uri.s = watcher_buf;
	watcher_uri.len = (int)strlen(watcher_buf);
	if(expires > 0)
		publish_expires = expires;
	return 0;
}

int im_presence_source_enabled(void)
{
	return server_uri.len > 0;
}

/* The user's normalized AOR and PIDF document (appendix H); 1 open, 0
 * closed, -1 (logged) when presence is off or the URI is no user of ours. */
static int user_presence(im_participating_t *svc, const char *user_uri, int uri_len, char *aor_z,
		size_t aor_size, char *doc, size_t doc_size)
{
	char uri_z[256];
	int open;

	if(!im_presence_source_enabled() || svc == NULL || uri_len <= 0 || uri_len >= (int)sizeof(uri_z))
		return -1;
	memcpy(uri_z, user_uri, uri_len);
	uri_z[uri_len] = '\0';
	open = im_participating_availability(svc, uri_z, aor_z, aor_size, doc, doc_size);
	if(open < 0)
		LM_ERR("no presence document for %s\n", uri_z);
	return open;
}

void im_presence_source_publish(im_participating_t *svc, const char *user_uri, int uri_len)
{
	char aor_z[256], doc[2048];
	publ_info_t publ;
	str uri, body;
	int open = user_presence(svc, user_uri, uri_len, aor_z, sizeof(aor_z), doc, sizeof(doc));

	if(open < 0)
		return;
	uri.s = aor_z;
	uri.len = (int)strlen(aor_z);
	body.s = doc;
	body.len = (int)strlen(doc);
	memset(&publ, 0, sizeof(publ));
	publ.id = publication_id;
	publ.pres_uri = &uri;
	publ.body = &body;
	publ.expires = publish_expires;
	publ.flag = UPDATE_TYPE; /* pua inserts when it has no publication of this user yet */
	publ.source_flag = IM_SOURCE_PUBLISH;
	publ.event = PRESENCE_EVENT;
	publ.content_type = pidf_type;
	publ.outbound_proxy = &server_uri;
	if(pua.send_publish(&publ) < 0)
		LM_ERR("cannot publish the IM availability of %s\n", aor_z);
	else
		LM_INFO("published IM availability of %s: %s\n", aor_z, open ? "open" : "closed");
}

void im_presence_source_watch(im_participating_t *svc, const char *user_uri, int uri_len, int watch)
{
	char aor_z[256], doc[2048];
	subs_info_t subs;
	str aor;

	/* The normalized AOR: the NOTIFYs' From, the key of the willingness. */
	if(user_presence(svc, user_uri, uri_len, aor_z, sizeof(aor_z), doc, sizeof(doc)) < 0)
		return;
	aor.s = aor_z;
	aor.len = (int)strlen(aor_z);
	memset(&subs, 0, sizeof(subs));
	subs.id = subscription_id;
	subs.pres_uri = &aor;
	subs.watcher_uri = &watcher_uri;
	subs.contact = &contact_uri;
	subs.outbound_proxy = &server_uri;
	subs.event = PRESENCE_EVENT;
	subs.expires = watch ? publish_expires : 0;
	subs.source_flag = IM_SOURCE_WATCH;
	subs.flag = UPDATE_TYPE; /* pua starts the subscription when it has none yet */
	if(pua.send_subscribe(&subs) < 0)
		LM_ERR("cannot %s the presence of %s\n", watch ? "subscribe to" : "unsubscribe from", aor_z);
	else
		LM_INFO("%s the presence of %s (Willingness for IM)\n", watch ? "watching" : "no longer watching", aor_z);
}
