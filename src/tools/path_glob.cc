#include "tools/path_glob.h"

namespace boxagnts::tools {
namespace {

constexpr std::string_view kGlobstar = "**";

enum class ClassMatch { kMatch, kNoMatch, kMalformed };

// Reads one possibly escaped character of a class at pattern[*i].
bool ReadClassChar(std::string_view pattern, size_t* i, unsigned char* out) {
  if (*i >= pattern.size()) return false;
  if (pattern[*i] == '\\') {
    if (*i + 1 >= pattern.size()) return false;
    *out = static_cast<unsigned char>(pattern[*i + 1]);
    *i += 2;
    return true;
  }
  *out = static_cast<unsigned char>(pattern[*i]);
  *i += 1;
  return true;
}

// Matches `c` against the class that opens at pattern[start] ('[') and
// stores the index just past its ']' in *end.
ClassMatch MatchClass(std::string_view pattern, size_t start, unsigned char c,
                      size_t* end) {
  size_t i = start + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (true) {
    if (i >= pattern.size()) return ClassMatch::kMalformed;
    // A ']' right after the opening bracket is a literal member.
    if (pattern[i] == ']' && !first) {
      ++i;
      break;
    }
    first = false;
    unsigned char low = 0;
    if (!ReadClassChar(pattern, &i, &low)) return ClassMatch::kMalformed;
    unsigned char high = low;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      ++i;
      if (!ReadClassChar(pattern, &i, &high)) return ClassMatch::kMalformed;
    }
    if (c >= low && c <= high) matched = true;
  }
  *end = i;
  return matched != negate ? ClassMatch::kMatch : ClassMatch::kNoMatch;
}

Status CheckSegment(std::string_view segment, std::string_view pattern) {
  std::string quoted = "glob \"" + std::string(pattern) + "\"";
  if (segment == "..") {
    return Status::InvalidArgument(
        quoted + " contains a \"..\" segment, which never matches a "
                 "normalised path (write the path without it)");
  }
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\') {
      if (i + 1 >= segment.size()) {
        return Status::InvalidArgument(
            quoted + " ends a segment with a backslash (write \\\\ for a "
                     "literal backslash)");
      }
      ++i;
    } else if (segment[i] == '[') {
      size_t end = 0;
      if (MatchClass(segment, i, 0, &end) == ClassMatch::kMalformed) {
        return Status::InvalidArgument(
            quoted + " has an unclosed '[' (close the class with ']' or "
                     "write \\[ for a literal bracket)");
      }
      i = end - 1;
    }
  }
  return Status::Ok();
}

}  // namespace

bool MatchGlobSegment(std::string_view pattern, std::string_view name) {
  size_t p = 0;
  size_t n = 0;
  size_t star_p = std::string_view::npos;  // pattern index after the last '*'
  size_t star_n = 0;                       // name index that '*' resumes at
  while (n < name.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        star_p = p;
        star_n = n;
        continue;
      }
      bool ok = false;
      size_t next_p = p + 1;
      if (c == '?') {
        ok = true;
      } else if (c == '[') {
        ClassMatch m = MatchClass(pattern, p, name[n], &next_p);
        if (m == ClassMatch::kMalformed) return false;
        ok = m == ClassMatch::kMatch;
      } else if (c == '\\') {
        if (p + 1 >= pattern.size()) return false;
        ok = pattern[p + 1] == name[n];
        next_p = p + 2;
      } else {
        ok = c == name[n];
      }
      if (ok) {
        p = next_p;
        ++n;
        continue;
      }
    }
    // Let the last '*' absorb one more character and retry.
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

Result<PathGlob> PathGlob::Compile(std::string_view pattern) {
  std::vector<std::string> segments;
  for (std::string_view segment : SplitPathSegments(pattern)) {
    if (segment == ".") continue;
    BOXAGNTS_RETURN_IF_ERROR(CheckSegment(segment, pattern));
    // Two globstars in a row match what one matches.
    if (segment == kGlobstar && !segments.empty() &&
        segments.back() == kGlobstar) {
      continue;
    }
    segments.emplace_back(segment);
  }
  return PathGlob(std::move(segments));
}

std::vector<char> PathGlob::MatchPrefixes(
    const std::vector<std::string_view>& segments) const {
  // reached[j]: the pattern parts seen so far match the first j segments.
  std::vector<char> reached(segments.size() + 1, 0);
  reached[0] = 1;
  for (const std::string& part : segments_) {
    std::vector<char> next(segments.size() + 1, 0);
    bool any = false;
    for (size_t j = 0; j <= segments.size(); ++j) {
      if (part == kGlobstar) {
        any = any || reached[j];
        next[j] = any;
      } else if (j > 0) {
        next[j] = reached[j - 1] && MatchGlobSegment(part, segments[j - 1]);
      }
    }
    reached.swap(next);
  }
  return reached;
}

bool PathGlob::Matches(const std::vector<std::string_view>& segments) const {
  return MatchPrefixes(segments).back() != 0;
}

bool PathGlob::MatchesPathOrAncestor(
    const std::vector<std::string_view>& segments) const {
  for (char reached : MatchPrefixes(segments)) {
    if (reached) return true;
  }
  return false;
}

bool PathGlob::CouldMatchBelow(
    const std::vector<std::string_view>& segments) const {
  // Walk the directory's segments against the pattern's leading segments.
  // Reaching "**" means anything deeper may match; running out of
  // directory segments with pattern left means a deeper path may match.
  size_t i = 0;
  for (; i < segments.size(); ++i) {
    if (i >= segments_.size()) return false;
    if (segments_[i] == "**") return true;
    if (!MatchGlobSegment(segments_[i], segments[i])) return false;
  }
  return i < segments_.size();
}

std::string PathGlob::ToString() const {
  std::string out;
  for (const std::string& segment : segments_) {
    if (!out.empty()) out += '/';
    out += segment;
  }
  return out;
}

std::string EscapeGlob(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\' ||
        c == '(' || c == ')') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::vector<std::string_view> SplitPathSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace boxagnts::tools
