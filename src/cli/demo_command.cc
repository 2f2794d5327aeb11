// `boxagnts demo`: replays a recorded agent session on a fresh copy of a
// small C project, so that a newcomer sees the tools edit real files in
// the sandbox with no model key and no network.
//
// The data lives in data/demo: repo/ (the project), prompt.txt (the
// task) and session.jsonl (the model's side, recorded by
// scripts/record-demo in kRecordedWorkDir). Before the replay the demo
// writes a copy of the recording with kRecordedWorkDir replaced by the
// path of the fresh copy in every recorded request, and with the system
// prompt left out of the comparison because it carries the date, the OS
// and the git branch. Everything else the tools return must match the
// recording, so a change in a tool's output stops the replay with the
// field that differs.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_output.h"
#include "cli/signals.h"
#include "core/files.h"
#include "core/json.h"
#include "query/agent_session.h"
#include "query/git_command.h"
#include "tools/approval.h"
#include "tools/registry.h"

namespace boxagnts::cli {
namespace {

namespace fs = std::filesystem;

// The work dir that scripts/record-demo records in. Keep the two equal.
constexpr char kRecordedWorkDir[] = "/tmp/boxagnts-demo/repo";
constexpr char kDemoDirName[] = "boxagnts-demo";
// Marks a folder made by `boxagnts demo` or scripts/record-demo: the only
// kind of folder the demo deletes.
constexpr char kMarkerName[] = ".boxagnts-demo";
constexpr char kMarkerText[] =
    "Made by `boxagnts demo`, which deletes and recreates this folder.\n";
// Modification time of every copied file, 2025-01-01T00:00:00Z, as
// scripts/record-demo sets it, because Glob and Grep list newer files
// first.
constexpr time_t kFileTimeSeconds = 1735689600;
constexpr char kCommitDate[] = "2025-01-01T00:00:00Z";

struct DemoFlags {
  bool keep = false;
  std::string work_dir_parent;
};

int Fail(const Status& status) {
  std::fprintf(stderr, "boxagnts demo: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage
                                                       : kExitError;
}

bool IsDemoData(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "session.jsonl", ec) &&
         fs::is_regular_file(dir / "prompt.txt", ec) &&
         fs::is_directory(dir / "repo", ec);
}

// Finds data/demo like the model catalogue: installed beside the binary,
// else in the source tree the binary was built from.
Result<fs::path> FindDemoData() {
  std::vector<fs::path> candidates = {fs::path(tools::ApplicationDir()) /
                                      "demo"};
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../share/boxagnts/demo");
  }
  // CMake compiles sources by absolute path, so __FILE__ names this file
  // in the source tree: <source>/src/cli/demo_command.cc.
  fs::path source_file = __FILE__;
  if (source_file.is_absolute()) {
    candidates.push_back(
        source_file.parent_path().parent_path().parent_path() / "data/demo");
  }
  std::string tried;
  for (const fs::path& dir : candidates) {
    if (IsDemoData(dir)) return dir.lexically_normal();
    tried += (tried.empty() ? "" : ", ") + dir.lexically_normal().string();
  }
  return Status::NotFound("demo data not found (tried " + tried +
                          "); reinstall boxagnts or run the binary of a "
                          "build tree");
}

// Deletes `demo_dir` when an earlier run made it (it contains the marker
// and belongs to this user), then creates it empty with the marker. Any
// other file or folder at that path is left alone and reported.
Status RecreateDemoDir(const fs::path& demo_dir) {
  std::string name = "\"" + demo_dir.string() + "\"";
  struct stat info;
  if (::lstat(demo_dir.c_str(), &info) == 0) {
    struct stat marker;
    bool ours = S_ISDIR(info.st_mode) && info.st_uid == ::geteuid() &&
                ::lstat((demo_dir / kMarkerName).c_str(), &marker) == 0 &&
                S_ISREG(marker.st_mode);
    if (!ours) {
      return Status::FailedPrecondition(
          name + " exists and was not made by boxagnts demo (it is not a "
          "folder of yours with a " + kMarkerName + " file); move it away "
          "or pass --work-dir-parent DIR");
    }
    std::error_code ec;
    fs::remove_all(demo_dir, ec);
    if (ec) return Status::IoError("delete " + name + ": " + ec.message());
  } else if (errno != ENOENT) {
    return Status::FromErrno("inspect " + name, errno);
  }
  if (::mkdir(demo_dir.c_str(), 0700) != 0) {
    return Status::FromErrno("create " + name, errno);
  }
  return WriteFileAtomic((demo_dir / kMarkerName).string(), kMarkerText);
}

Status SetFileTime(const fs::path& path) {
  struct timespec times[2] = {{kFileTimeSeconds, 0}, {kFileTimeSeconds, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return Status::FromErrno("set the time of \"" + path.string() + "\"",
                             errno);
  }
  return Status::Ok();
}

// Copies the folders and regular files below `from` to the new folder
// `to` and gives each the fixed modification time. Symbolic links and
// other special files are not copied.
Status CopyRepo(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directory(to, ec);
  std::vector<fs::path> copied = {to};
  for (auto it = fs::recursive_directory_iterator(from, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    fs::path target = to / fs::relative(it->path(), from);
    if (it->is_symlink()) continue;
    if (it->is_directory()) {
      fs::create_directory(target, ec);
    } else if (it->is_regular_file()) {
      fs::copy_file(it->path(), target, ec);
    } else {
      continue;
    }
    if (ec) break;
    copied.push_back(target);
  }
  if (ec) {
    return Status::IoError("copy \"" + from.string() + "\" to \"" +
                           to.string() + "\": " + ec.message());
  }
  // Children first, because creating a file changes its folder's time.
  for (auto it = copied.rbegin(); it != copied.rend(); ++it) {
    BOXAGNTS_RETURN_IF_ERROR(SetFileTime(*it));
  }
  return Status::Ok();
}

// Returns the contents of every regular file below `root` by relative
// path, leaving out .git.
std::map<std::string, std::string> ReadTree(const fs::path& root) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->is_symlink()) continue;
    Result<std::string> text = ReadFileToString(it->path().string());
    files[fs::relative(it->path(), root).string()] =
        text.ok() ? *text : "(unreadable: " + text.status().message() + ")";
  }
  return files;
}

Status RunGitStep(const std::vector<std::string>& args, const fs::path& repo,
                  std::string* out = nullptr) {
  query::GitEnv env;
  for (const char* role : {"AUTHOR", "COMMITTER"}) {
    std::string prefix = std::string("GIT_") + role;
    env.vars.push_back({prefix + "_NAME", "boxagnts demo"});
    env.vars.push_back({prefix + "_EMAIL", "demo@boxagnts.invalid"});
    env.vars.push_back({prefix + "_DATE", kCommitDate});
  }
  Result<query::GitResult> result = query::RunGit(args, repo.string(), env);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return Status::Internal(query::DescribeGitFailure(args, *result));
  }
  if (out != nullptr) *out = std::move(result->out);
  return Status::Ok();
}

// Makes `repo` a git repository with every file in one commit, so that
// `git diff` shows the agent's changes afterwards. RunGit runs git by argv
// with hooks, fsmonitor and the system and global config turned off.
Status InitGitRepo(const fs::path& repo) {
  BOXAGNTS_RETURN_IF_ERROR(RunGitStep({"init", "-q", "-b", "main"}, repo));
  BOXAGNTS_RETURN_IF_ERROR(RunGitStep({"add", "--all"}, repo));
  return RunGitStep({"commit", "-q", "-m", "Import the wc project"}, repo);
}

void ReplaceInStrings(Json* value, const std::string& from,
                      const std::string& to) {
  if (value->is_string()) {
    std::string& text = value->get_ref<std::string&>();
    for (size_t pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size())) {
      text.replace(pos, from.size(), to);
    }
  } else if (value->is_structured()) {
    for (Json& child : *value) ReplaceInStrings(&child, from, to);
  }
}

// Writes to `out` the recording at `in` prepared for a replay in
// `work_dir` (see the file comment).
Status PrepareRecording(const fs::path& in, const fs::path& work_dir,
                        const fs::path& out) {
  Result<std::string> text = ReadFileToString(in.string());
  if (!text.ok()) return text.status();
  std::istringstream lines(*text);
  std::string line, prepared;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<Json> exchange = ParseJson(
        line, "\"" + in.string() + "\" line " + std::to_string(number));
    if (!exchange.ok()) return exchange.status();
    // NOTE: response bodies are served as recorded, so the scripted model
    // turns must name files by relative path to replay in another folder.
    if (exchange->contains("request")) {
      ReplaceInStrings(&(*exchange)["request"], kRecordedWorkDir,
                       work_dir.string());
    }
    (*exchange)["replay_ignore_paths"] = {"/system"};
    prepared += exchange->dump(-1, ' ', false, Json::error_handler_t::replace);
    prepared += "\n";
  }
  return WriteFileAtomic(out.string(), prepared, 0600);
}

// Prints the agent's changes: `git diff` with new files included, or,
// without git, each changed file before and after.
void PrintChanges(const fs::path& repo, bool have_git,
                  const std::map<std::string, std::string>& before) {
  std::printf("\nWhat the agent changed in %s:\n", repo.c_str());
  if (have_git) {
    std::string diff;
    Status status = RunGitStep({"add", "--intent-to-add", "--all"}, repo);
    if (status.ok()) {
      status = RunGitStep({"diff", "--no-ext-diff", "--no-textconv",
                           "--no-color"}, repo, &diff);
    }
    if (!status.ok()) {
      std::printf("(git diff failed: %s)\n", status.message().c_str());
    } else {
      std::fputs(diff.empty() ? "(no changes)\n" : diff.c_str(), stdout);
    }
    return;
  }
  std::map<std::string, std::string> after = ReadTree(repo);
  std::map<std::string, std::string> all = before;
  all.insert(after.begin(), after.end());
  bool any = false;
  for (const auto& [path, unused] : all) {
    auto old_file = before.find(path);
    auto new_file = after.find(path);
    std::string old_text = old_file == before.end() ? "" : old_file->second;
    std::string new_text = new_file == after.end() ? "" : new_file->second;
    if (old_file != before.end() && new_file != after.end() &&
        old_text == new_text) {
      continue;
    }
    any = true;
    std::printf("=== %s\n--- before%s\n%s+++ after%s\n%s", path.c_str(),
                old_file == before.end() ? " (no file)" : "",
                old_text.c_str(),
                new_file == after.end() ? " (deleted)" : "",
                new_text.c_str());
  }
  if (!any) std::printf("(no changes)\n");
}

void PrintIntro(const fs::path& data, const fs::path& repo,
                const std::string& prompt) {
  std::printf(
      "boxagnts demo: a recorded agent session, replayed on a fresh copy "
      "of a small C project.\n"
      "The model's turns come from %s; the tools run for real in the "
      "WebAssembly sandbox on the files in %s. No API key or network is "
      "used.\n\nTask: %s\n\n",
      (data / "session.jsonl").c_str(), repo.c_str(), prompt.c_str());
  std::fflush(stdout);
}

struct DemoSetup {
  fs::path data;       // data/demo
  fs::path repo;       // the fresh copy, the agent's work dir
  fs::path workspace;  // the demo's own session store and audit log
  fs::path recording;  // the recording prepared for `repo`
  std::string prompt;
  bool have_git = false;
  std::map<std::string, std::string> before;  // file contents, no git
};

// Makes <parent>/boxagnts-demo with a fresh copy of the project in repo/
// and a private workspace in workspace/.
Result<DemoSetup> SetUpDemo(const DemoFlags& flags) {
  DemoSetup setup;
  Result<fs::path> data = FindDemoData();
  if (!data.ok()) return data.status();
  setup.data = *data;
  Result<std::string> prompt = ReadFileToString(
      (setup.data / "prompt.txt").string());
  if (!prompt.ok()) return prompt.status();
  setup.prompt = std::move(*prompt);
  while (!setup.prompt.empty() &&
         std::isspace(static_cast<unsigned char>(setup.prompt.back()))) {
    setup.prompt.pop_back();
  }

  std::error_code ec;
  fs::path parent = flags.work_dir_parent;
  if (parent.empty()) {
    parent = fs::temp_directory_path(ec);
    if (ec) {
      return Status::FailedPrecondition(
          "no temporary directory (" + ec.message() +
          "); set TMPDIR or pass --work-dir-parent DIR");
    }
  }
  fs::path canonical_parent = fs::canonical(parent, ec);
  if (ec || !fs::is_directory(canonical_parent)) {
    return Status::InvalidArgument(
        "--work-dir-parent \"" + parent.string() +
        "\" is not an existing directory; create it or name another");
  }
  fs::path data_dir = fs::canonical(setup.data, ec);
  auto mismatch = std::mismatch(data_dir.begin(), data_dir.end(),
                                canonical_parent.begin(),
                                canonical_parent.end());
  if (!ec && mismatch.first == data_dir.end()) {
    return Status::InvalidArgument(
        "--work-dir-parent \"" + parent.string() + "\" is inside the demo "
        "data " + data_dir.string() + "; name a directory outside it");
  }
  fs::path demo_dir = canonical_parent / kDemoDirName;
  setup.repo = demo_dir / "repo";
  setup.workspace = demo_dir / "workspace";
  setup.recording = setup.workspace / "session.jsonl";
  BOXAGNTS_RETURN_IF_ERROR(RecreateDemoDir(demo_dir));
  BOXAGNTS_RETURN_IF_ERROR(CopyRepo(setup.data / "repo", setup.repo));
  BOXAGNTS_RETURN_IF_ERROR(CreateDirectories(setup.workspace.string()));
  BOXAGNTS_RETURN_IF_ERROR(PrepareRecording(
      setup.data / "session.jsonl", setup.repo, setup.recording));

  Status git = InitGitRepo(setup.repo);
  setup.have_git = git.ok();
  if (!git.ok()) {
    fs::remove_all(setup.repo / ".git", ec);
    setup.before = ReadTree(setup.repo);
    std::fprintf(stderr,
                 "note: no git repository for the demo (%s); the changed "
                 "files are shown in full instead of a diff\n",
                 git.message().c_str());
  }
  return setup;
}

int RunDemo(const DemoFlags& flags) {
  static CancellationSource interrupt;
  CancelOnInterrupt(&interrupt);
  Result<DemoSetup> setup = SetUpDemo(flags);
  if (!setup.ok()) return Fail(setup.status());

  query::SessionOptions options;
  options.workspace_dir = setup->workspace.string();
  options.work_dir = setup->repo.string();
  options.model = "replay/" + setup->recording.string();
  options.permission_mode = "acceptEdits";
  options.approval = std::make_unique<tools::HeadlessApprovalHandler>();
  Result<std::unique_ptr<query::AgentSession>> session =
      query::AgentSession::Open(std::move(options));
  if (!session.ok()) return Fail(session.status());
  for (const std::string& warning : (*session)->warnings()) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }

  PrintIntro(setup->data, setup->repo, setup->prompt);
  RunPrinter printer(OutputFormat::kText, stdout, stderr);
  auto started = std::chrono::steady_clock::now();
  query::QueryResult result =
      (*session)->Run(setup->prompt, &printer, interrupt.token());
  int64_t duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  std::fflush(stdout);
  printer.PrintResult(result, (*session)->session_id(), duration_ms);
  std::string session_id = (*session)->session_id();
  session->reset();  // closes the session store before the cleanup
  if (result.is_error &&
      result.result.find("from the recording") != std::string::npos) {
    std::fprintf(stderr,
                 "The recording no longer matches what this build sends to "
                 "the model; make a new one with scripts/record-demo.\n");
  }

  PrintChanges(setup->repo, setup->have_git, setup->before);
  std::printf("\nThe edited copy stays in %s until the next `boxagnts "
              "demo`; `make test` there builds and runs its tests.\n",
              setup->repo.c_str());
  const char* workspace = setup->workspace.c_str();
  if (flags.keep) {
    std::printf("The session store and audit log are in %s: boxagnts "
                "sessions --workspace-dir %s show %s\n",
                workspace, workspace, session_id.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(setup->workspace, ec);
  }
  std::printf("To give an agent your own task, configure a model and run "
              "boxagnts run \"TASK\".\n");
  return ExitCodeFor(result);
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  CLI::App* demo = app.add_subcommand(
      "demo", "Replay a recorded agent session on a fresh copy of a small "
              "C project: real tools, real files, no key or network");
  auto flags = std::make_shared<DemoFlags>();
  demo->add_flag("--keep", flags->keep,
                 "Keep the demo's session store and audit log (the edited "
                 "copy is always kept)");
  demo->add_option("--work-dir-parent", flags->work_dir_parent,
                   "Directory that gets the boxagnts-demo folder (default: "
                   "the temporary directory, $TMPDIR or /tmp)");
  demo->callback([=] { *exit_code = RunDemo(*flags); });
}

}  // namespace boxagnts::cli
