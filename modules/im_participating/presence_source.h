/*
 * Appendix H: the IM server as a presence source. On registration,
 * deregistration and a settings PUBLISH it publishes the user's
 * "Availability for IM" to the presence server through Kamailio's pua
 * module, which keeps the SIP-ETag of each user's publication and refreshes it.
 */
#ifndef IM_PRESENCE_SOURCE_H
#define IM_PRESENCE_SOURCE_H

#include "core/str.h"

#include "participating_api.h"

/* server: the presence server's SIP URI (where PUBLISH and SUBSCRIBE go);
 * empty turns publication and watching off. watcher: this server's URI (From
 * and Contact of its subscriptions). Binds pua when on; 0, or -1 when pua is
 * missing. */
int im_presence_source_init(const char *server, int expires, const char *watcher);

int im_presence_source_enabled(void);

/* Publishes the current availability (open: registered and visible) of the
 * user `uri` names. */
void im_presence_source_publish(im_participating_t *svc, const char *uri, int uri_len);

/* 6.2.6.1 step 6: subscribes (watch 1) to the user's presence at the
 * presence server, through pua, to learn the Willingness for IM the user
 * publishes (NOTIFYs go to the watcher URI, where im_presence_notify()
 * takes them), or ends the subscription (watch 0). */
void im_presence_source_watch(im_participating_t *svc, const char *user_uri, int uri_len, int watch);

#endif
