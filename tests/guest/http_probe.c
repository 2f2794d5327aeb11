// Sends one HTTP request through the boxagnts host import and prints the
// outcome: "status <code>" and the body, or "error <code> <message>".
//
//   http_probe URL [METHOD [BODY]]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boxagnts.h"

static void append_json_string(char* out, const char* s) {
  char* p = out + strlen(out);
  *p++ = '"';
  for (; *s; ++s) {
    if (*s == '"' || *s == '\\') *p++ = '\\';
    *p++ = *s;
  }
  *p++ = '"';
  *p = '\0';
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: http_probe URL [METHOD [BODY]]\n");
    return 2;
  }
  static char request[1 << 16];
  strcpy(request, "{\"url\":");
  append_json_string(request, argv[1]);
  if (argc > 2) {
    strcat(request, ",\"method\":");
    append_json_string(request, argv[2]);
  }
  if (argc > 3) {
    strcat(request, ",\"body\":");
    append_json_string(request, argv[3]);
  }
  strcat(request, "}");

  uint32_t length = 0;
  int32_t rc = boxagnts_http_request(request, strlen(request), &length);
  char* response = malloc(length + 1);
  int32_t got = boxagnts_http_read_response(response, length);
  response[got < 0 ? 0 : got] = '\0';
  if (rc != 0) {
    printf("error %d %s\n", rc, response);
    return 1;
  }
  char* newline = strchr(response, '\n');
  if (newline) *newline = '\0';
  printf("meta %s\n", response);
  printf("body %s\n", newline ? newline + 1 : "");
  return 0;
}
