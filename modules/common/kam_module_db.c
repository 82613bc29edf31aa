#include "kam_module_db.h"

#include <stdio.h>
#include <unistd.h>

#include "core/dprint.h"

int kam_module_db_check(kam_module_db_t *m)
{
	char err[512];

	if(im_module_db_check(m->module, *m->db_url, err, sizeof(err)) < 0) {
		LM_ERR("%s: database %s: %s\n", m->module, *m->db_url, err);
		return -1;
	}
	return 0;
}

im_module_db_t *kam_module_db_get(kam_module_db_t *m)
{
	char err[512];
	int pid = getpid();

	if(m->db && m->pid == pid)
		return m->db;
	/* A handle inherited over fork belongs to the parent: never reuse it. */
	m->db = im_module_db_open(m->module, *m->db_url, err, sizeof(err));
	if(m->db == NULL) {
		LM_ERR("%s: cannot open database %s: %s\n", m->module, *m->db_url, err);
		return NULL;
	}
	m->pid = pid;
	return m->db;
}

void kam_module_db_close(kam_module_db_t *m)
{
	if(m->db && m->pid == getpid())
		im_module_db_close(m->db);
	m->db = NULL;
}

int kam_module_db_rpc_counts(kam_module_db_t *m, rpc_t *rpc, void *th)
{
	const char *const *table;
	char name[96];
	im_module_db_t *db = kam_module_db_get(m);

	if(db == NULL)
		return -1;
	for(table = im_module_tables(m->module); table && *table; table++) {
		long long rows = im_module_db_count(db, *table);
		if(rows < 0)
			return -1;
		snprintf(name, sizeof(name), "%s_rows", *table);
		rpc->struct_add(th, "d", name, (int)rows);
	}
	return 0;
}
