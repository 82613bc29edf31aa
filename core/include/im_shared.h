/*
 * The door through which the core library gets memory and locks that every
 * process of the host sees. The host (Kamailio: modules/common/kam_shm.c; unit
 * tests and the relay: im/shared/test_shm.hpp) fills one table of plain C
 * function pointers; the core never calls a host allocator directly.
 *
 * Plain C on purpose: Kamailio's C glue hands this table to the C++ side.
 */
#ifndef IM_SHARED_H
#define IM_SHARED_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The alignment every block from im_shm_ops_t.alloc must at least have.
 * Kamailio's shm allocators round to 8 bytes in their smallest setting, so the
 * core keeps everything it places in shared memory within that.
 */
#define IM_SHM_ALIGNMENT 8

typedef struct im_shm_ops {
	/* A block of `size` bytes visible at the same address in every process of
	 * the host (also those forked later), aligned to IM_SHM_ALIGNMENT; NULL
	 * when the pool is exhausted. Must be safe to call from any process. */
	void *(*alloc)(size_t size);
	/* Returns a block from alloc; p may be NULL. */
	void (*free)(void *p);
	/* A new, unlocked, non-recursive lock that works across processes; NULL on
	 * failure. */
	void *(*lock_create)(void);
	/* Releases a lock from lock_create; lock may be NULL. No process may hold
	 * or use it any more. */
	void (*lock_destroy)(void *lock);
	/* Blocks until this process holds the lock. */
	void (*lock_get)(void *lock);
	/* Releases a lock this process holds. */
	void (*lock_release)(void *lock);
	/* Optional (may be NULL): 1 when the `size` bytes at p lie wholly inside
	 * the memory alloc hands out, which stays mapped in every process for the
	 * host's lifetime, else 0. With it, tables read without taking a lock:
	 * a reader may follow a pointer into a block freed meanwhile, and checks
	 * it here before touching it (see im/shared/shared_table.hpp). */
	int (*contains)(const void *p, size_t size);
} im_shm_ops_t;

#ifdef __cplusplus
}
#endif

#endif /* IM_SHARED_H */
