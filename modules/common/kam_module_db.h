/*
 * A module's database handle, opened lazily once per process (SQLite
 * handles must not cross fork), and the RPC output of its table counts.
 */
#ifndef IM_KAM_MODULE_DB_H
#define IM_KAM_MODULE_DB_H

#include "core/rpc.h"
#include "module_api.h"

typedef struct kam_module_db {
	const char *module;
	char **db_url; /* the module parameter */
	im_module_db_t *db;
	int pid;
} kam_module_db_t;

/* Checks the schema in mod_init; logs and returns -1 when it is not usable. */
int kam_module_db_check(kam_module_db_t *m);
/* This process's handle, or NULL (logged). */
im_module_db_t *kam_module_db_get(kam_module_db_t *m);
void kam_module_db_close(kam_module_db_t *m);
/* Adds "<table>_rows" members to an RPC struct; -1 when the db is unusable. */
int kam_module_db_rpc_counts(kam_module_db_t *m, rpc_t *rpc, void *th);

#endif
