// Performs one file-system operation named by argv and prints the result:
// "ok" plus data, or "error <errno text>". Exits 0 on success, 1 on error.
//
//   fs_probe read PATH | write PATH TEXT | append PATH TEXT | unlink PATH
//   fs_probe rename FROM TO | truncate PATH | mkdir PATH | rmdir PATH
//   fs_probe symlink TARGET LINK | readlink PATH | list PATH | stat PATH
//   fs_probe chdir_read DIR PATH | env NAME | stdin -
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(void) {
  printf("error %s\n", strerror(errno));
  return 1;
}

static int read_file(const char* path) {
  FILE* f = fopen(path, "r");
  if (!f) return fail();
  char buf[4096];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  printf("ok %s\n", buf);
  return 0;
}

static int write_file(const char* path, const char* text, const char* mode) {
  FILE* f = fopen(path, mode);
  if (!f) return fail();
  if (fputs(text, f) < 0 || fclose(f) != 0) return fail();
  printf("ok\n");
  return 0;
}

static int list_dir(const char* path) {
  DIR* d = opendir(path);
  if (!d) return fail();
  printf("ok");
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      printf(" %s", e->d_name);
    }
  }
  printf("\n");
  closedir(d);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: fs_probe OP ARGS...\n");
    return 2;
  }
  const char* op = argv[1];
  const char* a = argv[2];
  const char* b = argc > 3 ? argv[3] : "";
  if (!strcmp(op, "read")) return read_file(a);
  if (!strcmp(op, "write")) return write_file(a, b, "w");
  if (!strcmp(op, "append")) return write_file(a, b, "a");
  if (!strcmp(op, "list")) return list_dir(a);
  if (!strcmp(op, "unlink")) return unlink(a) ? fail() : (printf("ok\n"), 0);
  if (!strcmp(op, "rename")) return rename(a, b) ? fail() : (printf("ok\n"), 0);
  if (!strcmp(op, "mkdir")) return mkdir(a, 0755) ? fail() : (printf("ok\n"), 0);
  if (!strcmp(op, "rmdir")) return rmdir(a) ? fail() : (printf("ok\n"), 0);
  if (!strcmp(op, "symlink")) return symlink(a, b) ? fail() : (printf("ok\n"), 0);
  if (!strcmp(op, "truncate")) {
    int fd = open(a, O_WRONLY | O_TRUNC);
    if (fd < 0) return fail();
    close(fd);
    printf("ok\n");
    return 0;
  }
  if (!strcmp(op, "ftruncate")) {
    int fd = open(a, O_RDONLY);
    if (fd < 0) return fail();
    if (ftruncate(fd, 0) != 0) return fail();
    printf("ok\n");
    return 0;
  }
  if (!strcmp(op, "readlink")) {
    char buf[1024];
    ssize_t n = readlink(a, buf, sizeof(buf) - 1);
    if (n < 0) return fail();
    buf[n] = '\0';
    printf("ok %s\n", buf);
    return 0;
  }
  if (!strcmp(op, "stat")) {
    struct stat st;
    if (stat(a, &st) != 0) return fail();
    printf("ok size=%lld dir=%d\n", (long long)st.st_size, S_ISDIR(st.st_mode));
    return 0;
  }
  if (!strcmp(op, "env")) {
    const char* value = getenv(a);
    if (!value) return fail();
    printf("ok %s\n", value);
    return 0;
  }
  if (!strcmp(op, "stdin")) {
    char buf[4096];
    size_t n;
    printf("ok ");
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) fwrite(buf, 1, n, stdout);
    printf("\n");
    return 0;
  }
  if (!strcmp(op, "chdir_read")) {
    if (chdir(a) != 0) return fail();
    return read_file(b);
  }
  fprintf(stderr, "unknown op %s\n", op);
  return 2;
}
