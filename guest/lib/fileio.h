/*
 * File helpers for guest tools: whole-file reads with a size cap, atomic
 * replacement, parent directory creation and binary detection.
 *
 * Functions that can fail return 0 or an errno value, never -1, so the
 * caller can pass the value straight to tool_fail_errno.
 */

#ifndef BOXAGNTS_GUEST_LIB_FILEIO_H_
#define BOXAGNTS_GUEST_LIB_FILEIO_H_

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Bytes at the start of a file that binary detection looks at. */
#define BINARY_SNIFF_BYTES 8192

/*
 * Reads the file at `path` into `out` (appending). Fails with EFBIG when
 * it is larger than `max_bytes`, and EISDIR for a directory.
 */
int read_file(const char* path, size_t max_bytes, buf* out);

/*
 * Reads a text file as read_file does, but checks the first
 * BINARY_SNIFF_BYTES first: when they hold a NUL byte, sets *binary and
 * returns 0 without reading the rest.
 */
int read_text_file(const char* path, size_t max_bytes, buf* out,
                   bool* binary);

/*
 * Replaces the file at `path` with `length` bytes of `data`: writes a
 * temporary file in the same directory, syncs it, then renames it over
 * `path`, so readers see the old or the new contents and never a part.
 * On failure the temporary file is removed and `path` is unchanged.
 */
int write_file_atomic(const char* path, const char* data, size_t length);

/* Creates each missing directory above `path` (like mkdir -p on its
 * parent). On failure stores the directory that failed in *failed_path
 * (the caller frees it) when `failed_path` is not NULL. */
int make_parent_directories(const char* path, char** failed_path);

/*
 * Returns the file that `path` names after following symbolic links in
 * its last segment (up to 40), so that replacing it keeps the link. A
 * path that is not a link comes back unchanged. A link that cannot be
 * followed ends the tool with an error result. The caller frees it.
 */
char* resolve_final_symlinks(const char* path);

/* Returns true when the first BINARY_SNIFF_BYTES of `data` hold a NUL. */
bool looks_binary(const char* data, size_t length);

#endif /* BOXAGNTS_GUEST_LIB_FILEIO_H_ */
