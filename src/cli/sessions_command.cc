// `boxagnts sessions`: list, show, export and fork the sessions kept in
// the workspace's store.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "providers/model_catalog.h"
#include "workspace/session_store.h"
#include "workspace/workspace_dir.h"

namespace boxagnts::cli {

namespace {

int Fail(const std::string& command, const Status& status, int code) {
  std::fprintf(stderr, "boxagnts sessions %s: %s\n", command.c_str(),
               status.message().c_str());
  return code;
}

Result<std::unique_ptr<workspace::SessionStore>> OpenStore(
    const std::string& workspace_flag) {
  Result<std::string> dir = workspace::FindWorkspaceDir(workspace_flag);
  if (!dir.ok()) return dir.status();
  BOXAGNTS_RETURN_IF_ERROR(workspace::EnsureWorkspaceDir(*dir));
  return workspace::SessionStore::Open(workspace::SessionStorePath(*dir));
}

Json InfoJson(const workspace::SessionInfo& info) {
  return {{"id", info.id},
          {"parent_id", info.parent_id},
          {"created_at", info.created_at},
          {"updated_at", info.updated_at},
          {"model", info.model},
          {"work_dir", info.work_dir},
          {"title", info.title},
          {"status", info.status},
          {"stop_reason", info.stop_reason},
          {"num_turns", info.num_turns},
          {"total_cost_usd", double(info.total_cost_pico_usd) / 1e12},
          {"kind", info.kind},
          {"parent_session_id", info.parent_session_id}};
}

int List(const std::string& workspace_flag, size_t limit, bool json) {
  auto store = OpenStore(workspace_flag);
  if (!store.ok()) return Fail("list", store.status(), 1);
  auto sessions = (*store)->ListSessions(limit);
  if (!sessions.ok()) return Fail("list", sessions.status(), 1);
  if (json) {
    Json list = Json::array();
    for (const auto& info : *sessions) list.push_back(InfoJson(info));
    std::printf("%s\n", list.dump(2).c_str());
    return 0;
  }
  for (const auto& info : *sessions) {
    std::string title = info.title.substr(0, info.title.find('\n'));
    if (title.size() > 50) title = title.substr(0, 47) + "...";
    std::printf("%s  %s  %-11s %4lld turns  %s  %s\n", info.id.c_str(),
                info.updated_at.substr(0, 19).c_str(), info.status.c_str(),
                static_cast<long long>(info.num_turns),
                providers::FormatUsd(info.total_cost_pico_usd).c_str(),
                title.c_str());
  }
  return 0;
}

int Show(const std::string& workspace_flag, const std::string& id) {
  auto store = OpenStore(workspace_flag);
  if (!store.ok()) return Fail("show", store.status(), 1);
  auto info = (*store)->FindSession(id);
  if (!info.ok()) return Fail("show", info.status(), kExitUsage);
  std::printf("%s\n", InfoJson(*info).dump(2).c_str());
  return 0;
}

int Export(const std::string& workspace_flag, const std::string& id,
           const std::string& output) {
  auto store = OpenStore(workspace_flag);
  if (!store.ok()) return Fail("export", store.status(), 1);
  auto info = (*store)->FindSession(id);
  if (!info.ok()) return Fail("export", info.status(), kExitUsage);
  if (output.empty() || output == "-") {
    Status exported = (*store)->ExportJsonl(info->id, std::cout);
    std::cout.flush();
    return exported.ok() ? 0 : Fail("export", exported, 1);
  }
  // Written beside the target and renamed, so a failed export leaves no
  // partial file.
  std::string temp = output + ".tmp";
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail("export", Status::IoError("cannot write " + temp), 1);
    }
    Status exported = (*store)->ExportJsonl(info->id, file);
    file.flush();
    if (!exported.ok() || !file) {
      std::remove(temp.c_str());
      return Fail("export",
                  exported.ok() ? Status::IoError("cannot write " + temp)
                                : exported,
                  1);
    }
  }
  if (std::rename(temp.c_str(), output.c_str()) != 0) {
    std::remove(temp.c_str());
    return Fail("export", Status::FromErrno("rename to " + output, errno), 1);
  }
  return 0;
}

int Fork(const std::string& workspace_flag, const std::string& id,
         int64_t at_seq) {
  auto store = OpenStore(workspace_flag);
  if (!store.ok()) return Fail("fork", store.status(), 1);
  auto info = (*store)->FindSession(id);
  if (!info.ok()) return Fail("fork", info.status(), kExitUsage);
  auto forked = (*store)->Fork(info->id, at_seq);
  if (!forked.ok()) return Fail("fork", forked.status(), 1);
  std::printf("%s\n", forked->id.c_str());
  return 0;
}

}  // namespace

void AddSessionsCommand(CLI::App& app, int* exit_code) {
  CLI::App* sessions =
      app.add_subcommand("sessions", "List, show, export and fork sessions");
  sessions->require_subcommand(1);
  auto workspace = std::make_shared<std::string>();
  sessions->add_option("--workspace-dir", *workspace,
                       "Workspace folder (default ~/.boxagnts)");

  CLI::App* list = sessions->add_subcommand("list", "Latest sessions first");
  auto limit = std::make_shared<size_t>(20);
  auto json = std::make_shared<bool>(false);
  list->add_option("--limit", *limit, "How many (default 20)");
  list->add_flag("--json", *json, "Print JSON");
  list->callback([=] { *exit_code = List(*workspace, *limit, *json); });

  auto id = std::make_shared<std::string>();
  CLI::App* show = sessions->add_subcommand("show", "One session's details");
  show->add_option("id", *id, "Session id or unique prefix")->required();
  show->callback([=] { *exit_code = Show(*workspace, *id); });

  CLI::App* exp = sessions->add_subcommand(
      "export", "Everything stored about a session, as JSON lines");
  auto output = std::make_shared<std::string>();
  exp->add_option("id", *id, "Session id or unique prefix")->required();
  exp->add_option("--output,-o", *output, "File to write (default stdout)");
  exp->callback([=] { *exit_code = Export(*workspace, *id, *output); });

  CLI::App* fork = sessions->add_subcommand(
      "fork", "Copy a session's history into a new session");
  auto at = std::make_shared<int64_t>(0);
  fork->add_option("id", *id, "Session id or unique prefix")->required();
  fork->add_option("--at", *at,
                   "Last message seq to copy (default: all)");
  fork->callback([=] { *exit_code = Fork(*workspace, *id, *at); });
}

}  // namespace boxagnts::cli
