#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

/* Deeper trees are not walked, which bounds the guest's stack use. */
enum { kMaxWalkDepth = 128 };

char* join_path(const char* directory, const char* name) {
  size_t length = strlen(directory);
  buf out = {0};
  buf_append(&out, directory, length);
  if (length == 0 || directory[length - 1] != '/') buf_append_char(&out, '/');
  buf_append_str(&out, name);
  return buf_release(&out);
}

static entry_type type_of(mode_t mode) {
  if (S_ISREG(mode)) return ENTRY_FILE;
  if (S_ISDIR(mode)) return ENTRY_DIRECTORY;
  if (S_ISLNK(mode)) return ENTRY_SYMLINK;
  return ENTRY_OTHER;
}

static long long mtime_ns_of(const struct stat* info) {
  return (long long)info->st_mtim.tv_sec * 1000000000LL +
         info->st_mtim.tv_nsec;
}

static int compare_entries(const void* a, const void* b) {
  return strcmp(((const dir_entry*)a)->name, ((const dir_entry*)b)->name);
}

int read_directory(const char* path, dir_entry** entries, size_t* count) {
  *entries = NULL;
  *count = 0;
  DIR* dir = opendir(path);
  if (dir == NULL) return errno;
  size_t capacity = 0;
  struct dirent* item;
  while ((item = readdir(dir)) != NULL) {
    const char* name = item->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    if (*count == capacity) {
      capacity = capacity == 0 ? 32 : capacity * 2;
      *entries = xrealloc(*entries, capacity * sizeof(dir_entry));
    }
    dir_entry* entry = &(*entries)[(*count)++];
    memset(entry, 0, sizeof(*entry));
    entry->name = xstrdup(name);
    entry->type = ENTRY_OTHER;
    char* full = join_path(path, name);
    struct stat info;
    if (lstat(full, &info) == 0) {
      entry->type = type_of(info.st_mode);
      entry->size_bytes = (long long)info.st_size;
      entry->mtime_ns = mtime_ns_of(&info);
    }
    free(full);
  }
  closedir(dir);
  if (*count > 1) qsort(*entries, *count, sizeof(dir_entry), compare_entries);
  return 0;
}

void free_dir_entries(dir_entry* entries, size_t count) {
  for (size_t i = 0; i < count; ++i) free(entries[i].name);
  free(entries);
}

typedef struct {
  walk_callback callback;
  void* context;
  walk_stats* stats;
  size_t root_length;  /* bytes of the root prefix in each path */
  bool stopped;
} walker;

static void walk_directory(walker* w, const char* directory, int depth) {
  dir_entry* entries;
  size_t count;
  if (read_directory(directory, &entries, &count) != 0) {
    ++w->stats->unreadable;
    return;
  }
  for (size_t i = 0; i < count && !w->stopped; ++i) {
    const dir_entry* entry = &entries[i];
    char* path = join_path(directory, entry->name);
    walk_file file = {path, path + w->root_length, entry->size_bytes,
                      entry->mtime_ns};
    if (entry->type == ENTRY_DIRECTORY) {
      if (strcmp(entry->name, ".git") != 0 && depth < kMaxWalkDepth) {
        walk_directory(w, path, depth + 1);
      }
    } else if (entry->type == ENTRY_FILE) {
      ++w->stats->files_visited;
      w->stopped = !w->callback(&file, w->context);
    } else if (entry->type == ENTRY_SYMLINK) {
      /* Follow links to files only; a link out of the mounts fails. */
      struct stat info;
      if (stat(path, &info) != 0) {
        ++w->stats->unreadable;
      } else if (S_ISREG(info.st_mode)) {
        file.size_bytes = (long long)info.st_size;
        file.mtime_ns = mtime_ns_of(&info);
        ++w->stats->files_visited;
        w->stopped = !w->callback(&file, w->context);
      }
    }
    free(path);
  }
  free_dir_entries(entries, count);
}

int walk_files(const char* root, walk_callback callback, void* context,
               walk_stats* stats) {
  walk_stats unused;
  if (stats == NULL) stats = &unused;
  memset(stats, 0, sizeof(*stats));
  struct stat info;
  if (stat(root, &info) != 0) return errno;
  if (!S_ISDIR(info.st_mode)) return ENOTDIR;
  size_t root_length = strlen(root);
  if (root_length == 0 || root[root_length - 1] != '/') ++root_length;
  walker w = {callback, context, stats, root_length, false};
  walk_directory(&w, root, 0);
  return 0;
}
