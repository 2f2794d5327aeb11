/*
 * Directory listing and recursive file walks for guest tools.
 *
 * Walks skip directories named ".git" and do not follow symbolic links to
 * directories, so they end on any tree. A symbolic link to a file is
 * visited with the target's size and time. Entries that cannot be read
 * (a link pointing outside the sandbox's mounts, a directory without
 * permission) are skipped and counted.
 */

#ifndef BOXAGNTS_GUEST_LIB_WALK_H_
#define BOXAGNTS_GUEST_LIB_WALK_H_

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  ENTRY_FILE,
  ENTRY_DIRECTORY,
  ENTRY_SYMLINK,
  ENTRY_OTHER,
} entry_type;

typedef struct {
  char* name;              /* the entry's name in its directory */
  entry_type type;         /* from lstat, so a link is ENTRY_SYMLINK */
  long long size_bytes;    /* from lstat */
  long long mtime_ns;      /* from lstat, nanoseconds since the epoch */
} dir_entry;

/*
 * Reads the directory at `path` into a new array sorted by name (byte
 * order), without "." and "..". Returns 0 or an errno value. Free with
 * free_dir_entries.
 */
int read_directory(const char* path, dir_entry** entries, size_t* count);
void free_dir_entries(dir_entry* entries, size_t count);

typedef struct {
  const char* path;        /* the root joined with `relative` */
  const char* relative;    /* below the root, without a leading '/' */
  long long size_bytes;
  long long mtime_ns;
} walk_file;

/* Called for each file; returns false to stop the walk. */
typedef bool (*walk_callback)(const walk_file* file, void* context);

typedef struct {
  size_t files_visited;
  size_t unreadable;       /* entries skipped because they failed */
} walk_stats;

/*
 * Visits each file below the directory `root` in name order, depth first.
 * NOTE: the number of entries is not capped, so a very large tree can use
 * up the run's fuel or time limit and end the tool with a trap.
 * Returns 0, or the errno value for `root` itself (ENOTDIR when it is a
 * file).
 */
int walk_files(const char* root, walk_callback callback, void* context,
               walk_stats* stats);

/* Returns `directory` + "/" + `name` without doubling a trailing '/'. The
 * caller frees the result. */
char* join_path(const char* directory, const char* name);

#endif /* BOXAGNTS_GUEST_LIB_WALK_H_ */
