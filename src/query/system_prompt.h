// The system prompt of the agent loop: a base prompt, facts about the
// environment, the user's and the project's AGENTS.md instructions, the
// output style and the active skills, in that order.

#ifndef BOXAGNTS_QUERY_SYSTEM_PROMPT_H_
#define BOXAGNTS_QUERY_SYSTEM_PROMPT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace boxagnts::query {

// One instruction file, such as an AGENTS.md, and its text.
struct InstructionFile {
  std::string path;
  std::string content;
};

struct SystemPromptOptions {
  std::string base;  // empty: BuiltInBasePrompt()
  std::string work_dir;
  // Instruction files in increasing precedence: the user-level file
  // first, then those from the repository root down to work_dir.
  std::vector<InstructionFile> instruction_files;
  // "" or "default" (no section), "concise", "explanatory", or any other
  // text, which is used as a custom style instruction.
  std::string output_style;
  std::vector<std::string> skills;  // instructions of the active skills
  std::chrono::system_clock::time_point now;
};

// Facts for the <env> block of the prompt.
struct EnvironmentFacts {
  std::string os;        // uname sysname and release, "Linux 6.1.0"
  std::string work_dir;
  std::string date;      // YYYY-MM-DD in the local time zone
  bool git_repo = false;
  std::string git_branch;  // "main", "(detached abc1234)" or ""
};

// Collects the facts without running git. Walks up from `work_dir` to the
// first folder with a `.git` entry. That is a directory, or a file that
// contains "gitdir: PATH", as in a linked worktree or a submodule. A
// relative PATH starts at the folder of the .git file.
// The branch comes from HEAD: "ref: refs/heads/X" gives X, another ref
// gives the ref, and a commit hash gives "(detached abc1234)" with its
// first 7 hex digits. A HEAD that cannot be read leaves git_branch empty
// while git_repo stays true. Never fails, because a missing fact is left
// empty.
EnvironmentFacts ReadEnvironmentFacts(
    const std::string& work_dir, std::chrono::system_clock::time_point now);

// Returns the <env> block that BuildSystemPrompt puts in the prompt.
std::string FormatEnvironmentBlock(const EnvironmentFacts& facts);

// Returns the built-in base prompt for the Read, Write, Edit, Glob, Grep,
// LS and WebFetch tools in the WebAssembly sandbox.
std::string_view BuiltInBasePrompt();

// Assembles the prompt from `options` and `facts`. Sections are separated
// by a blank line, and empty instruction files and skills are left out.
// Invalid UTF-8 in any part is replaced by U+FFFD.
std::string BuildSystemPrompt(const SystemPromptOptions& options,
                              const EnvironmentFacts& facts);

// Same, with facts read by ReadEnvironmentFacts(options.work_dir,
// options.now).
std::string BuildSystemPrompt(const SystemPromptOptions& options);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_SYSTEM_PROMPT_H_
