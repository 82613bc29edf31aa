/*
 * The API im_participating offers other modules (Kamailio's bind_<module>
 * convention): im_controlling runs the terminating checks of the recipients
 * this server serves on each group MESSAGE copy before it sends it.
 */
#ifndef IM_PARTICIPATING_BIND_API_H
#define IM_PARTICIPATING_BIND_API_H

#include "core/sr_module.h"

#include "im_bridge.h"

typedef struct im_participating_api {
	/* 6.2.6.1 / 6.2.8.4 on requests made in this process (group MESSAGE
	 * copies); see im_request_checks_t in im_bridge.h. */
	im_request_checks_t copy_checks;
} im_participating_api_t;

typedef int (*bind_im_participating_f)(im_participating_api_t *api);

/* 0 and *api filled when im_participating is loaded, -1 when it is not. */
static inline int im_participating_load_api(im_participating_api_t *api)
{
	bind_im_participating_f bind =
			(bind_im_participating_f)find_export("bind_im_participating", 0, 0);
	if(bind == NULL)
		return -1;
	return bind(api);
}

#endif
