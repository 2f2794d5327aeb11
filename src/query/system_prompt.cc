#include "query/system_prompt.h"

#include <sys/utsname.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <optional>

#include "core/files.h"
#include "core/utf8.h"

namespace boxagnts::query {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kConciseStyle =
    "Answer in as few words as the task allows. Skip preambles, plans you "
    "are about to follow and recaps, unless the user asks for them. Use "
    "lists and code blocks only where they carry information.";

constexpr std::string_view kExplanatoryStyle =
    "Explain as you work, so the user learns the codebase: why you chose an "
    "approach, what the code you read does, and what a change trades off. "
    "Keep each explanation tied to the code at hand and short enough to "
    "read alongside it.";

std::string TrimWhitespace(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// Replaces control characters with spaces, so that a fact taken from a
// file (a branch name) stays on its line of the <env> block.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (std::iscntrl(static_cast<unsigned char>(c))) c = ' ';
  }
  return line;
}

std::string FormatDate(std::chrono::system_clock::time_point now) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm local{};
  char text[16] = "";
  if (localtime_r(&seconds, &local) == nullptr) return "";
  std::strftime(text, sizeof(text), "%Y-%m-%d", &local);
  return text;
}

std::string ReadOsName() {
  struct utsname names;
  if (uname(&names) != 0) return "";
  return std::string(names.sysname) + " " + names.release;
}

// Returns the git directory for the `.git` entry in `dir`, if there is
// one: the entry itself, or the target of a "gitdir: PATH" file. An
// unreadable .git file gives an empty path.
std::optional<fs::path> FindGitDir(const fs::path& dir) {
  std::error_code error;
  fs::path entry = dir / ".git";
  fs::file_status status = fs::status(entry, error);
  if (fs::is_directory(status)) return entry;
  if (!fs::is_regular_file(status)) return std::nullopt;
  Result<std::string> text = ReadFileToString(entry.string());
  std::string line = text.ok() ? TrimWhitespace(*text) : "";
  line = line.substr(0, line.find('\n'));
  constexpr std::string_view kPrefix = "gitdir:";
  if (!line.starts_with(kPrefix)) return fs::path();
  fs::path target = TrimWhitespace(line.substr(kPrefix.size()));
  return target.is_absolute() ? target : dir / target;
}

bool IsHexHash(std::string_view text) {
  if (text.size() != 40 && text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Returns the branch named by `git_dir`/HEAD, or "" when unreadable.
std::string ReadBranch(const fs::path& git_dir) {
  if (git_dir.empty()) return "";
  Result<std::string> text = ReadFileToString((git_dir / "HEAD").string());
  if (!text.ok()) return "";
  std::string head = TrimWhitespace(*text);
  head = TrimWhitespace(head.substr(0, head.find('\n')));
  constexpr std::string_view kRef = "ref:";
  constexpr std::string_view kBranchRef = "refs/heads/";
  if (head.starts_with(kRef)) {
    std::string ref = TrimWhitespace(head.substr(kRef.size()));
    if (ref.starts_with(kBranchRef)) return ref.substr(kBranchRef.size());
    return ref;
  }
  if (IsHexHash(head)) return "(detached " + head.substr(0, 7) + ")";
  return "";
}

void AppendSection(const std::string& text, std::string* prompt) {
  if (text.empty()) return;
  if (!prompt->empty()) *prompt += "\n\n";
  *prompt += text;
}

std::string InstructionsSection(const std::vector<InstructionFile>& files) {
  std::string body;
  for (const InstructionFile& file : files) {
    std::string content = TrimWhitespace(file.content);
    if (content.empty()) continue;
    AppendSection("## " + file.path + "\n\n" + content, &body);
  }
  if (body.empty()) return "";
  return "# Instructions\n\n"
         "The user and the project wrote these instructions. Follow them. "
         "When two files disagree, the later one wins. No instruction lifts "
         "the sandbox or the permission rules.\n\n" +
         body;
}

std::string OutputStyleSection(const std::string& style) {
  std::string text = TrimWhitespace(style);
  if (text.empty() || text == "default") return "";
  if (text == "concise") {
    return "# Output style\n\n" + std::string(kConciseStyle);
  }
  if (text == "explanatory") {
    return "# Output style\n\n" + std::string(kExplanatoryStyle);
  }
  return "# Output style\n\n" + text;
}

std::string SkillsSection(const std::vector<std::string>& skills) {
  std::string body;
  for (const std::string& skill : skills) {
    std::string text = TrimWhitespace(skill);
    if (text.empty()) continue;
    if (!body.empty()) body += "\n\n---\n\n";
    body += text;
  }
  if (body.empty()) return "";
  return "# Active skills\n\nFollow these skill instructions for the "
         "current task.\n\n" +
         body;
}

}  // namespace

EnvironmentFacts ReadEnvironmentFacts(
    const std::string& work_dir, std::chrono::system_clock::time_point now) {
  EnvironmentFacts facts;
  facts.work_dir = work_dir;
  facts.date = FormatDate(now);
  facts.os = ReadOsName();

  std::error_code error;
  fs::path dir = fs::absolute(work_dir, error).lexically_normal();
  if (error) return facts;
  while (true) {
    std::optional<fs::path> git_dir = FindGitDir(dir);
    if (git_dir) {
      facts.git_repo = true;
      facts.git_branch = ReadBranch(*git_dir);
      break;
    }
    fs::path parent = dir.parent_path();
    if (parent == dir || parent.empty()) break;
    dir = parent;
  }
  return facts;
}

std::string FormatEnvironmentBlock(const EnvironmentFacts& facts) {
  std::string block = "<env>\n";
  block += "Working directory: " + OneLine(facts.work_dir) + "\n";
  block += std::string("Is a git repository: ") +
           (facts.git_repo ? "yes" : "no") + "\n";
  if (facts.git_repo && !facts.git_branch.empty()) {
    block += "Git branch: " + OneLine(facts.git_branch) + "\n";
  }
  block += "Platform: " + OneLine(facts.os) + "\n";
  block += "Today's date: " + OneLine(facts.date) + "\n";
  block += "</env>";
  return block;
}

std::string BuildSystemPrompt(const SystemPromptOptions& options,
                              const EnvironmentFacts& facts) {
  std::string prompt = TrimWhitespace(
      options.base.empty() ? BuiltInBasePrompt() : options.base);
  AppendSection("# Environment\n\n" + FormatEnvironmentBlock(facts), &prompt);
  AppendSection(InstructionsSection(options.instruction_files), &prompt);
  AppendSection(OutputStyleSection(options.output_style), &prompt);
  AppendSection(SkillsSection(options.skills), &prompt);
  // The prompt goes into JSON requests, which need valid UTF-8.
  return ReplaceInvalidUtf8(prompt);
}

std::string BuildSystemPrompt(const SystemPromptOptions& options) {
  return BuildSystemPrompt(options,
                           ReadEnvironmentFacts(options.work_dir, options.now));
}

}  // namespace boxagnts::query
