/*
 * im_shm_ops_t on Kamailio's shm pool and gen_lock_t, the same primitives
 * Kamailio's own modules use for their shared hash tables (presence, imc).
 */
#include "kam_shm.h"

#include "core/dprint.h"
#include "core/locking.h"
#include "core/mem/shm_mem.h"

static void *kam_shm_alloc(size_t size)
{
	void *block = shm_malloc(size);
	if(block == NULL)
		SHM_MEM_ERROR;
	return block;
}

static void kam_shm_free(void *block)
{
	/* shm_free(NULL) logs a warning */
	if(block != NULL)
		shm_free(block);
}

static void *kam_shm_lock_create(void)
{
	gen_lock_t *lock = lock_alloc();
	if(lock == NULL) {
		SHM_MEM_ERROR;
		return NULL;
	}
	if(lock_init(lock) == NULL) {
		LM_ERR("cannot initialize a shared lock\n");
		lock_dealloc(lock);
		return NULL;
	}
	return lock;
}

static void kam_shm_lock_destroy(void *lock)
{
	if(lock == NULL)
		return;
	lock_destroy((gen_lock_t *)lock);
	lock_dealloc(lock);
}

static void kam_shm_lock_get(void *lock)
{
	lock_get((gen_lock_t *)lock);
}

static void kam_shm_lock_release(void *lock)
{
	lock_release((gen_lock_t *)lock);
}

/* The whole shm pool stays mapped in every process until Kamailio exits,
 * freed blocks included: a table reader may check a pointer here and then
 * read through it even if the block was freed meanwhile. */
static int kam_shm_contains(const void *p, size_t size)
{
	const char *first = p;
	if(size == 0 || first + (size - 1) < first)
		return 0;
	return shm_address_in((void *)first) && shm_address_in((void *)(first + (size - 1)));
}

static const im_shm_ops_t kam_shm_ops_table = {
	.alloc = kam_shm_alloc,
	.free = kam_shm_free,
	.lock_create = kam_shm_lock_create,
	.lock_destroy = kam_shm_lock_destroy,
	.lock_get = kam_shm_lock_get,
	.lock_release = kam_shm_lock_release,
	.contains = kam_shm_contains,
};

const im_shm_ops_t *kam_shm_ops(void)
{
	return &kam_shm_ops_table;
}
