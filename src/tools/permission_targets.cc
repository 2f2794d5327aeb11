#include "tools/permission_targets.h"

#include "tools/permission_paths.h"

#include <filesystem>

namespace boxagnts::tools {
namespace {

// `searches` says whether the tool reads the tree under a directory path.
Result<PathTarget> MakePathTarget(const std::string& field,
                                  std::string_view path, bool searches,
                                  const AnchorDirs& dirs) {
  // Tools read "~" as an ordinary name relative to the work dir, so the
  // engine must too: expanding it to the home directory would check a
  // different file from the one the tool opens.
  Result<std::string> written = MakeAbsolutePath(path, dirs.work_dir, "");
  if (!written.ok()) return written.status();
  Result<std::string> resolved = ResolvePath(*written);
  if (!resolved.ok()) return resolved.status();
  std::error_code ec;
  bool searched = searches && std::filesystem::is_directory(*resolved, ec);
  return PathTarget{field, std::move(*written), std::move(*resolved),
                    searched};
}

Status AppendPathTargets(const ToolSpec& spec, const Json& input,
                         const AnchorDirs& dirs,
                         std::vector<PermissionTarget>* targets) {
  for (const std::string& field : spec.path_fields) {
    std::string where = "input field \"" + field + "\"";
    auto it = input.find(field);
    std::vector<std::string> paths;
    if (it == input.end() || it->is_null()) {
      paths.push_back(dirs.work_dir);
    } else if (it->is_string()) {
      paths.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const Json& item : *it) {
        if (!item.is_string()) {
          return Status::InvalidArgument(
              where + " must hold paths as strings, not " + item.dump());
        }
        paths.push_back(item.get<std::string>());
      }
    } else {
      return Status::InvalidArgument(where + " must be a path string, not " +
                                     it->dump());
    }
    for (const std::string& path : paths) {
      Result<PathTarget> target =
          MakePathTarget(field, path, spec.searches_path_trees, dirs);
      if (!target.ok()) return target.status().WithPrefix(where);
      targets->push_back(std::move(*target));
    }
  }
  return Status::Ok();
}

Status AppendUrlTarget(const ToolSpec& spec, const Json& input,
                       std::vector<PermissionTarget>* targets) {
  std::string where = "input field \"" + spec.url_field + "\"";
  auto it = input.find(spec.url_field);
  if (it == input.end() || !it->is_string()) {
    return Status::InvalidArgument(where + " must hold the URL as a string");
  }
  Result<sandbox::HttpUrl> url = sandbox::ParseHttpUrl(it->get<std::string>());
  if (!url.ok()) return url.status().WithPrefix(where);
  targets->push_back(UrlTarget{spec.url_field, std::move(*url)});
  return Status::Ok();
}

bool PathMatches(const PathSpecifier& spec, const PathTarget& target,
                 const AnchorDirs& dirs, MatchPurpose purpose) {
  std::string_view base_written = "/";
  std::string_view base_resolved = "/";
  if (spec.anchor == PathAnchor::kWorkDir) {
    base_written = dirs.work_dir;
    base_resolved = dirs.work_dir_resolved;
  } else if (spec.anchor == PathAnchor::kHome) {
    if (dirs.home_dir.empty()) return false;
    base_written = dirs.home_dir;
    base_resolved = dirs.home_dir_resolved;
  }
  // A restricting rule also applies to a directory that a search tool
  // walks when it could match something below that directory, since the
  // search would read it.
  bool below = purpose == MatchPurpose::kRestrict && target.searched;
  auto matches = [&](std::string_view path, std::string_view base) {
    auto segments = SegmentsBelow(path, base);
    if (segments && spec.glob.MatchesPathOrAncestor(*segments)) return true;
    if (!below) return false;
    if (segments) return spec.glob.CouldMatchBelow(*segments);
    // The searched directory contains the rule's whole anchor directory.
    return SegmentsBelow(base, path).has_value();
  };
  if (matches(target.resolved, base_resolved)) return true;
  return purpose == MatchPurpose::kRestrict &&
         matches(target.written, base_written);
}

}  // namespace

Result<AnchorDirs> MakeAnchorDirs(const std::string& work_dir,
                                  const std::string& home_dir) {
  if (work_dir.empty() || work_dir.front() != '/') {
    return Status::InvalidArgument("work dir \"" + work_dir +
                                   "\" is not an absolute path");
  }
  AnchorDirs dirs;
  dirs.work_dir = NormalizePathLexically(work_dir);
  Result<std::string> resolved = ResolvePath(dirs.work_dir);
  if (!resolved.ok()) return resolved.status();
  dirs.work_dir_resolved = std::move(*resolved);
  if (!home_dir.empty() && home_dir.front() == '/') {
    dirs.home_dir = NormalizePathLexically(home_dir);
    Result<std::string> home = ResolvePath(dirs.home_dir);
    dirs.home_dir_resolved = home.ok() ? *home : dirs.home_dir;
  }
  return dirs;
}

Result<std::vector<PermissionTarget>> CollectTargets(const ToolSpec& spec,
                                                     const Json& input,
                                                     const AnchorDirs& dirs) {
  static const Json kEmptyObject = Json::object();
  const Json& fields = input.is_object() ? input : kEmptyObject;
  std::vector<PermissionTarget> targets;
  BOXAGNTS_RETURN_IF_ERROR(AppendPathTargets(spec, fields, dirs, &targets));
  if (!spec.url_field.empty()) {
    BOXAGNTS_RETURN_IF_ERROR(AppendUrlTarget(spec, fields, &targets));
  }
  if (targets.empty()) targets.push_back(WholeCallTarget{});
  return targets;
}

bool RuleMatchesTarget(const PermissionRule& rule,
                       const PermissionTarget& target, const AnchorDirs& dirs,
                       MatchPurpose purpose) {
  if (std::holds_alternative<std::monostate>(rule.matcher)) return true;
  if (const auto* path = std::get_if<PathSpecifier>(&rule.matcher)) {
    const auto* path_target = std::get_if<PathTarget>(&target);
    return path_target != nullptr &&
           PathMatches(*path, *path_target, dirs, purpose);
  }
  const auto& domain = std::get<DomainSpecifier>(rule.matcher);
  const auto* url_target = std::get_if<UrlTarget>(&target);
  return url_target != nullptr && MatchesDomain(domain, url_target->url.host);
}

std::string DescribeTarget(const PermissionTarget& target) {
  if (const auto* path = std::get_if<PathTarget>(&target)) {
    std::string out = "path \"" + path->written + "\"";
    if (path->resolved != path->written) {
      out += " (resolves to \"" + path->resolved + "\")";
    }
    return out;
  }
  if (const auto* url = std::get_if<UrlTarget>(&target)) {
    return "host \"" + url->url.host.text + "\"";
  }
  return "the call";
}

}  // namespace boxagnts::tools
