/* A copy of the database before its schema is migrated. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_internal.h"
#include "log.h"
#include "util.h"

static void
sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	slash[slash == dir ? 1 : 0] = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * Before the first migration of a database at schema version `version`
 * (> 0), copy it to "<database>.v<version>" beside it: a migration cannot
 * be undone, and an older spendd refuses a newer database, so the copy is
 * the way back to the spendd that wrote it. Mode 0600 (password hashes),
 * complete under its name or absent (a temporary file, fsynced, then
 * linked). An existing file of that name is kept: a copy at the same
 * version from an earlier start whose migration did not finish. A copy
 * that cannot be made fails the start: no migration without it.
 */
int
st_copy_before_migrate(struct store *st, int version, struct spend_err *err)
{
	const char *db = sqlite3_db_filename(st->db, "main");
	char dest[PATH_MAX], tmp[PATH_MAX];
	struct stat sb;
	int64_t t0 = time_mono_ms(), pages = 0;
	int fd, r;

	if (db == NULL || db[0] == '\0')	/* in memory: nothing to keep */
		return 0;
	if ((size_t)snprintf(dest, sizeof(dest), "%s.v%d", db, version) >=
	    sizeof(dest) || (size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX",
	    dest) >= sizeof(tmp))
		return spend_errf(err, SPEND_ESTORE, "", "copy before "
		    "migrating: path too long");
	if (lstat(dest, &sb) == 0) {
		log_info("store: keeping %s, the copy of schema version %d an "
		    "earlier start made", dest, version);
		return 0;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return spend_errf(err, SPEND_ESTORE, "", "copy before "
		    "migrating: cannot create a file next to %s: %s", db,
		    strerror(errno));
	r = store_backup_to(st, tmp, 0, NULL, NULL, &pages, err);
	if (r == 0 && (fsync(fd) < 0 || fstat(fd, &sb) < 0))
		r = spend_errf(err, SPEND_ESTORE, "", "%s: %s", tmp,
		    strerror(errno));
	close(fd);
	if (r == 0 && link(tmp, dest) < 0)
		r = spend_errf(err, SPEND_ESTORE, "", "%s: %s", dest,
		    strerror(errno));
	unlink(tmp);
	if (r < 0) {
		spend_err_prefix(err, "copy of schema version %d before "
		    "migrating (nothing was migrated)", version);
		return r;
	}
	sync_dir_of(dest);
	log_info("store: copied the database (schema version %d, %lld bytes) "
	    "to %s before migrating, in %lld ms", version,
	    (long long)sb.st_size, dest, (long long)(time_mono_ms() - t0));
	return 0;
}
