#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

/* Reads from `fd` into `out` until end of file, or until the bytes read
 * reach `stop_bytes`. Fails with EFBIG past `max_bytes`. */
static int read_fd(int fd, size_t max_bytes, size_t stop_bytes, buf* out) {
  /* Reads straight into the buffer: the guest's stack is too small for a
   * large chunk array. */
  size_t start = out->length;
  while (out->length - start < stop_bytes) {
    size_t read_size = 65536;
    if (stop_bytes - (out->length - start) < read_size) {
      read_size = stop_bytes - (out->length - start);
    }
    buf_reserve(out, read_size);
    ssize_t n = read(fd, out->data + out->length, read_size);
    if (n < 0) return errno;
    if (n == 0) break;
    out->length += (size_t)n;
    out->data[out->length] = '\0';
    /* The file may have grown since fstat. */
    if (out->length - start > max_bytes) return EFBIG;
  }
  return 0;
}

/* Opens `path` for reading and checks its type and size. */
static int open_regular_file(const char* path, size_t max_bytes, int* fd) {
  *fd = open(path, O_RDONLY);
  if (*fd < 0) return errno;
  struct stat info;
  int error = 0;
  if (fstat(*fd, &info) != 0) {
    error = errno;
  } else if (S_ISDIR(info.st_mode)) {
    error = EISDIR;
  } else if (info.st_size > 0 &&
             (unsigned long long)info.st_size > max_bytes) {
    error = EFBIG;
  }
  if (error != 0) close(*fd);
  return error;
}

int read_file(const char* path, size_t max_bytes, buf* out) {
  int fd;
  int error = open_regular_file(path, max_bytes, &fd);
  if (error != 0) return error;
  error = read_fd(fd, max_bytes, (size_t)-1, out);
  close(fd);
  return error;
}

int read_text_file(const char* path, size_t max_bytes, buf* out,
                   bool* binary) {
  *binary = false;
  int fd;
  int error = open_regular_file(path, max_bytes, &fd);
  if (error != 0) return error;
  size_t start = out->length;
  error = read_fd(fd, max_bytes, BINARY_SNIFF_BYTES, out);
  if (error == 0) {
    *binary = looks_binary(out->data + start, out->length - start);
    size_t remaining_bytes = max_bytes - (out->length - start);
    if (!*binary) error = read_fd(fd, remaining_bytes, (size_t)-1, out);
  }
  close(fd);
  return error;
}

/* Writes all of `data` to `fd`. */
static int write_all(int fd, const char* data, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, data, length);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    length -= (size_t)n;
  }
  return 0;
}

/* Creates a new temporary file next to `path`, open for writing in *fd,
 * and stores its name in *temp. */
static int create_temp_file(const char* path, char** temp, int* fd) {
  const char* slash = strrchr(path, '/');
  size_t directory_length = slash != NULL ? (size_t)(slash - path) + 1 : 0;
  const char* base = path + directory_length;
  for (int attempt = 0; attempt < 16; ++attempt) {
    unsigned char random[6];
    if (getentropy(random, sizeof(random)) != 0) return errno;
    buf name = {0};
    buf_append(&name, path, directory_length);
    buf_printf(&name, ".%s.tmp-", base);
    for (size_t i = 0; i < sizeof(random); ++i) {
      buf_printf(&name, "%02x", random[i]);
    }
    *fd = open(name.data, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (*fd >= 0) {
      *temp = buf_release(&name);
      return 0;
    }
    int error = errno;
    buf_free(&name);
    if (error != EEXIST) return error;
  }
  return EEXIST;
}

int write_file_atomic(const char* path, const char* data, size_t length) {
  char* temp = NULL;
  int fd = -1;
  int error = create_temp_file(path, &temp, &fd);
  if (error != 0) return error;
  error = write_all(fd, data, length);
  if (error == 0 && fsync(fd) != 0) error = errno;
  if (close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && rename(temp, path) != 0) error = errno;
  if (error != 0) unlink(temp);
  free(temp);
  return error;
}

/* Creates `directory` after its missing ancestors. Works from the
 * deepest existing ancestor down, because ancestors above the sandbox's
 * mounts do not exist for the guest and cannot be created. */
static int make_directory_and_parents(char* directory, char** failed_path) {
  struct stat info;
  if (stat(directory, &info) == 0) {
    if (S_ISDIR(info.st_mode)) return 0;
    if (failed_path != NULL) *failed_path = xstrdup(directory);
    return ENOTDIR;
  }
  char* slash = strrchr(directory, '/');
  if (slash != NULL && slash != directory) {
    *slash = '\0';
    int error = make_directory_and_parents(directory, failed_path);
    *slash = '/';
    if (error != 0) return error;
  }
  if (mkdir(directory, 0755) != 0 && errno != EEXIST) {
    int error = errno;
    if (failed_path != NULL) *failed_path = xstrdup(directory);
    return error;
  }
  return 0;
}

int make_parent_directories(const char* path, char** failed_path) {
  char* parent = xstrdup(path);
  char* slash = strrchr(parent, '/');
  int error = 0;
  if (slash != NULL && slash != parent) {
    *slash = '\0';
    error = make_directory_and_parents(parent, failed_path);
  }
  free(parent);
  return error;
}

bool looks_binary(const char* data, size_t length) {
  size_t n = length < BINARY_SNIFF_BYTES ? length : BINARY_SNIFF_BYTES;
  return memchr(data, '\0', n) != NULL;
}

char* resolve_final_symlinks(const char* path) {
  char* current = xstrdup(path);
  for (int hop = 0; hop < 40; ++hop) {
    char target[4096];
    ssize_t n = readlink(current, target, sizeof(target) - 1);
    if (n <= 0) break;
    target[n] = '\0';
    buf next = {0};
    if (target[0] != '/') {
      const char* slash = strrchr(current, '/');
      buf_append(&next, current, slash ? (size_t)(slash - current) + 1 : 0);
    }
    buf_append_str(&next, target);
    free(current);
    current = buf_release(&next);
  }
  /* A link that could not be read or followed (the sandbox refuses links
   * that leave the mounts) must not be replaced by the write. */
  struct stat info;
  if (lstat(current, &info) == 0 && S_ISLNK(info.st_mode)) {
    tool_fail("%s is a symbolic link that cannot be followed inside the "
              "sandbox (it points outside the mounted folders or loops); "
              "write to the file it names instead", path);
  }
  return current;
}
