// Glob patterns over '/'-separated paths, as Glob, Grep's `glob` filter
// and LS's `ignore` use them:
//   *       any run of characters within one path segment (including a
//           leading dot, so "*" also matches ".env")
//   ?       one character other than '/'
//   [...]   one character of a set: [abc], ranges [a-z], negation [!a]
//           or [^a]; a ']' right after '[' or '[!' is a member
//   {a,b}   either alternative; alternatives may nest and may be empty
//   **      as a whole segment: zero or more segments ("src/**" matches
//           everything below src, "**/x" matches x at any depth)
//   \c      the character c itself
// '?' and sets compare bytes, so they match one byte of a multi-byte
// UTF-8 character.

#ifndef BOXAGNTS_GUEST_LIB_GLOB_H_
#define BOXAGNTS_GUEST_LIB_GLOB_H_

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  GLOB_NO_MATCH,
  GLOB_MATCH,
  // Matching took more than GLOB_MAX_STEPS steps (a pattern with many
  // stars against a long path) and was stopped.
  GLOB_TOO_COMPLEX,
} glob_result;

#define GLOB_MAX_STEPS 1000000

// Matches the whole of `path` against `pattern`.
glob_result glob_match(const char* pattern, const char* path);

// Returns true when `pattern` contains no wildcard, set, brace or escape.
bool glob_is_literal(const char* pattern, size_t length);

// Returns the length of the longest prefix of `pattern` made of literal
// whole segments followed by '/', keeping at least the last segment out
// of it: "src/lib/**/x.c" gives 8, "*.c" gives 0, and "/abs/dir/f.txt"
// gives 9. A walk may start at that directory.
size_t glob_literal_prefix_length(const char* pattern);

#endif  // BOXAGNTS_GUEST_LIB_GLOB_H_
