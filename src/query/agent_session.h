// An agent session assembled from the user's settings: the model, the
// tool layer with its permissions, hooks, the sandbox policy, the session
// store and the query loop. `boxagnts run` is a thin shell around it.
//
// Settings are read in this order, later ones winning: the user config
// (<workspace>/config.toml), the project config
// (<work dir>/.boxagnts/config.toml, only once the project is trusted;
// until then only its deny rules apply), then the options given here.
#ifndef BOXAGNTS_QUERY_AGENT_SESSION_H_
#define BOXAGNTS_QUERY_AGENT_SESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cancellation.h"
#include "core/status.h"
#include "query/observer.h"
#include "query/query_loop.h"
#include "tools/approval.h"
#include "workspace/session_store.h"

namespace boxagnts::query {

struct SessionOptions {
  std::string workspace_dir;  // "" = $BOXAGNTS_WORKSPACE_DIR or ~/.boxagnts
  std::string work_dir;       // "" = the current directory
  std::string model;          // "" = [agent] model of the config
  std::optional<int> max_turns;
  std::optional<double> max_budget_usd;
  std::string permission_mode;  // "" = from the config
  std::vector<std::string> allow, ask, deny;
  std::string resume_id;         // id or unique prefix
  bool continue_latest = false;  // the latest session of the work dir
  bool fork = false;             // resume into a new session
  std::string record_path;       // record model exchanges there
  bool trust_project = false;
  // Managed mode: the model becomes a manager that delegates to
  // executors through the Agent tools ([managed_agents] settings, which
  // the fields below override).
  bool managed = false;
  std::string executor_model;
  std::optional<int> max_concurrent_executors;
  std::optional<double> total_budget_usd;
  // Decides "ask" permissions; null denies them (headless).
  std::unique_ptr<tools::ApprovalHandler> approval;
};

class AgentSession {
 public:
  // Reads the settings, opens the store and creates or resumes the
  // session. Errors name the setting, file or session at fault; a usage
  // problem (bad flag value, unknown session) is InvalidArgument or
  // NotFound.
  static Result<std::unique_ptr<AgentSession>> Open(SessionOptions options);
  ~AgentSession();

  // Runs `prompt` through the query loop, reporting to `observer` (may be
  // null).
  QueryResult Run(const std::string& prompt, QueryObserver* observer,
                  const CancellationToken& cancel);

  const std::string& session_id() const;
  const std::string& model_id() const;
  const std::string& work_dir() const;
  std::vector<std::string> tool_names() const;
  // Warnings met while loading (broken tool packages, ignored project
  // settings), one line each, for the user.
  const std::vector<std::string>& warnings() const;

 private:
  struct State;
  explicit AgentSession(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_AGENT_SESSION_H_
