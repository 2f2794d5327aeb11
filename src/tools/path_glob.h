// Glob patterns over '/'-separated relative paths, with gitignore syntax.
//
//   *        any run of characters except '/', including none
//   ?        one character except '/' (one byte, as in git)
//   [a-z]    one character from a class; [!a-z] or [^a-z] negates it
//   **       as a whole segment: zero or more segments; elsewhere as '*'
//   \x       the character x itself, for a literal *, ?, [ or backslash
//
// Matching is on whole segments and bytes, with no case folding. A '*' or
// '?' matches a leading dot too, as in gitignore.

#ifndef BOXAGNTS_TOOLS_PATH_GLOB_H_
#define BOXAGNTS_TOOLS_PATH_GLOB_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace boxagnts::tools {

class PathGlob {
 public:
  // Compiles `pattern`, a relative pattern such as "src/**/*.cc". Empty
  // segments and "." segments are dropped. Errors (InvalidArgument) name
  // the pattern: an unclosed '[', a trailing backslash, or a ".."
  // segment, which could never match a normalised path.
  static Result<PathGlob> Compile(std::string_view pattern);

  // True when the pattern matches all of `segments`, which are the
  // components of a normalised relative path (none empty, "." or "..").
  // An empty pattern matches only the empty path.
  bool Matches(const std::vector<std::string_view>& segments) const;

  // True when the pattern matches `segments` or one of its leading parts,
  // so that a pattern naming a directory covers everything under it.
  bool MatchesPathOrAncestor(
      const std::vector<std::string_view>& segments) const;

  // True when some path below `segments` (a directory) could match, so a
  // walk of that directory might reach a match. Conservative: a "**"
  // segment counts as able to match anything.
  bool CouldMatchBelow(const std::vector<std::string_view>& segments) const;

  // Returns the compiled segments joined by '/'.
  std::string ToString() const;

 private:
  explicit PathGlob(std::vector<std::string> segments)
      : segments_(std::move(segments)) {}

  // Returns, for each j from 0 to segments.size(), whether the whole
  // pattern matches the first j segments.
  std::vector<char> MatchPrefixes(
      const std::vector<std::string_view>& segments) const;

  std::vector<std::string> segments_;  // "**" marks a globstar segment
};

// True when the single segment `name` matches the segment pattern
// `pattern` (no '/' in either). A malformed class never matches.
bool MatchGlobSegment(std::string_view pattern, std::string_view name);

// Escapes every glob metacharacter (*, ?, [, ], \) and parenthesis in
// `literal` with a backslash, so that the result matches exactly `literal`
// and can stand inside the parentheses of a rule.
std::string EscapeGlob(std::string_view literal);

// Splits a relative path on '/' and drops empty segments.
std::vector<std::string_view> SplitPathSegments(std::string_view path);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_PATH_GLOB_H_
