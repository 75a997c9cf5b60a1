/* archive.h - safe extraction of zip archives (libzip).
 *
 * Every entry is checked before anything is written: no absolute paths,
 * no ".." components, no symlinks or device files (external attributes),
 * no duplicate names, no encryption, and the archive stays within the
 * size, entry-count and compression-ratio limits.  Writing happens under
 * the staging folder only, walking folders with O_NOFOLLOW and creating
 * files with O_EXCL, so even a race cannot redirect a write elsewhere; the
 * byte count is enforced while inflating, in case the headers lie.
 */
#ifndef MGR_ARCHIVE_H
#define MGR_ARCHIVE_H

#include <stdint.h>
#include "error.h"

struct archive_limits {
	uint64_t max_bytes;	/* total uncompressed size */
	uint64_t max_entries;
	uint64_t max_ratio;	/* uncompressed / compressed */
};

/* Extracts zip_path into staging (an existing, empty folder we own).
 * Unsafe archives give MGR_EUNSAFE, unreadable ones MGR_EINVAL, each
 * naming the archive and the entry at fault.  On failure staging may hold
 * partial output: the caller removes staging. */
int archive_extract(const char *zip_path, const char *staging,
		    const struct archive_limits *lim, struct mgr_error *err);

#endif
