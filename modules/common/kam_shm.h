/*
 * Kamailio's shared memory and locks as the core library's im_shm_ops_t.
 * Compiled into each module with Kamailio's definitions; the C++ side only
 * ever sees the returned table.
 */
#ifndef IM_KAM_SHM_H
#define IM_KAM_SHM_H

#include "im_shared.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A static table (same address in every Kamailio process): shm_malloc and
 * shm_free for blocks, lock_alloc+lock_init / lock_destroy+lock_dealloc for
 * locks. Blocks and locks are usable from mod_init on, i.e. before the fork. */
const im_shm_ops_t *kam_shm_ops(void);

#ifdef __cplusplus
}
#endif

#endif /* IM_KAM_SHM_H */
