// The session store: every session of the agent loop, in one SQLite
// database in the workspace folder (<workspace>/sessions.db).
//
// A session is a conversation. The store keeps its messages in order
// (seq 1, 2, 3, ... per session), the compactions that shortened its
// active history, and records of what happened: model calls with tokens
// and cost, tool calls, permission decisions and a generic event log.
// Messages are JSON objects stored exactly as the caller gives them; the
// store reads only their "role". Nothing is ever deleted: a compaction
// changes which messages are active, never which are stored.
//
// Durability: WAL journal with synchronous=NORMAL. A write that returned
// OK is in the operating system's hands, so it survives the process being
// killed; a power loss or kernel crash may lose the last commits but never
// corrupts the file (the WAL is synced at checkpoints). FULL would sync on
// every commit, which costs milliseconds per turn on common disks. Each
// write method is one transaction, so a process killed at any moment
// loses at most the write in progress and never leaves part of one.
//
// Thread safety: every method may be called from any thread; one
// connection behind a mutex serialises them. Several processes may share
// the file; a write waits up to kBusyTimeoutMs for another's lock and then
// fails with Unavailable.
//
// Timestamps are ISO-8601 UTC with milliseconds, "2025-01-31T12:34:56.789Z".
// Costs are integer picodollars (1 USD = 10^12), so sums are exact.
//
// Export format (ExportJsonl): one JSON object per line, each with a
// "type". The first line is the session:
//   {"type":"session","id":..., every SessionInfo field by its name}
// then every stored row of the session, oldest write first:
//   {"type":"message","seq":1,"role":"user","message":{...},
//    "created_at":...}
//   {"type":"compaction","id":1,"summary":{...},"first_kept_seq":5,
//    "tokens_before":12000,"created_at":...}
//   {"type":"model_call","seq":2 or null,"purpose":"turn","model":...,
//    "input_tokens":..,"output_tokens":..,"cache_read_tokens":..,
//    "cache_write_tokens":..,"cost_pico_usd":n or null,"stop_reason":..,
//    "duration_ms":..,"created_at":...}
//   {"type":"permission","call_id":..,"tool":..,"decision":..,"rule":..,
//    "decided_by":..,"reason":..,"created_at":...}
//   {"type":"tool_call","call_id":..,"tool":..,"input":{...},
//    "is_error":false,"result_bytes":..,"duration_ms":..,"created_at":...}
//   {"type":"event","seq":1,"event":"<event type>","data":{...},
//    "created_at":...}
// Rows stored by one write appear in the order message, compaction,
// model_call, permission, tool_call, event, and each kind in the order it
// was given. A fork's copied messages and compactions come first in the
// child's export, with their original created_at.

#ifndef BOXAGNTS_WORKSPACE_SESSION_STORE_H_
#define BOXAGNTS_WORKSPACE_SESSION_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace boxagnts::workspace {

namespace sqlite {
class Database;
}  // namespace sqlite

// Schema version this code reads and writes (PRAGMA user_version).
inline constexpr int kSessionSchemaVersion = 1;
// How long a write waits for another connection's lock.
inline constexpr int kBusyTimeoutMs = 5000;
// Titles are cut to this many characters (code points).
inline constexpr size_t kMaxTitleChars = 80;
// FindSession needs at least this many characters of an id.
inline constexpr size_t kMinIdPrefixChars = 6;

// Session statuses. A session starts "created"; the loop sets "running"
// when it starts and one of the others when it stops, with a stop reason.
inline constexpr std::string_view kStatusCreated = "created";
inline constexpr std::string_view kStatusRunning = "running";
inline constexpr std::string_view kStatusCompleted = "completed";
// A limit ended the run (max turns, budget).
inline constexpr std::string_view kStatusStopped = "stopped";
inline constexpr std::string_view kStatusInterrupted = "interrupted";
inline constexpr std::string_view kStatusError = "error";

// Returns <workspace_dir>/sessions.db.
std::string SessionStorePath(const std::string& workspace_dir);

struct NewSession {
  std::string model;  // "provider/model"; required
  // Required. LatestSession compares it as given, so pass a canonical path.
  std::string work_dir;
  // Usually the first prompt. Stored as one line: invalid UTF-8 becomes
  // U+FFFD, each run of whitespace one space, and a title longer than
  // kMaxTitleChars is cut to kMaxTitleChars - 1 characters plus "…".
  std::string title;
  std::string kind = "main";  // "main" or "executor"
  // Required for kind "executor" (the main session of its managed run),
  // and must be empty for kind "main".
  std::string parent_session_id;
};

struct SessionInfo {
  std::string id;         // UUIDv4 form, lower-case hex
  std::string parent_id;  // the session it was forked from, or ""
  int64_t forked_at_seq = 0;  // last seq copied from parent_id, 0 if none
  std::string created_at;
  std::string updated_at;  // time of the latest write to the session
  std::string model;
  std::string work_dir;
  std::string title;
  std::string status;       // one of the kStatus* values
  std::string stop_reason;  // as given to SetStatus, "" before
  int64_t num_turns = 0;    // model calls of purpose "turn"
  // Sum over all model calls of the session with a known cost.
  int64_t total_cost_pico_usd = 0;
  // Model calls stored without a cost (unknown prices); when nonzero,
  // total_cost_pico_usd is a lower bound.
  int64_t unpriced_model_calls = 0;
  std::string kind;               // "main" or "executor"
  std::string parent_session_id;  // for executors, else ""

  friend bool operator==(const SessionInfo&, const SessionInfo&) = default;
};

struct StoredMessage {
  int64_t seq = 0;
  Json message;
  std::string created_at;
};

// A session's active history: the messages the next model call receives.
struct ActiveHistory {
  // The latest compaction's summary message, unset without compaction.
  std::optional<Json> summary;
  // Seq of the first active message (the latest compaction's
  // first_kept_seq, or 1).
  int64_t first_kept_seq = 1;
  std::vector<StoredMessage> messages;  // seq >= first_kept_seq, in order

  // Returns the summary (when set) followed by the messages.
  std::vector<Json> ToMessages() const;
};

// One call to a model. Counts and durations must not be negative.
struct ModelCallRecord {
  std::string purpose = "turn";  // "turn", "compaction", "recovery", ...
  std::string model;             // "provider/model"; required
  // Index into TurnWrite::messages of the assistant message this call
  // produced; the store records that message's seq. Unset when the call
  // produced no stored message (and always for a compaction's call).
  std::optional<size_t> message_index;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_read_tokens = 0;
  int64_t cache_write_tokens = 0;
  std::optional<int64_t> cost_pico_usd;  // unset when prices are unknown
  std::string stop_reason;
  int64_t duration_ms = 0;
};

struct ToolCallRecord {
  std::string call_id;  // the model's tool_use id; required
  std::string tool;     // required
  Json input = Json::object();
  bool is_error = false;
  int64_t result_bytes = 0;
  int64_t duration_ms = 0;
};

struct PermissionRecord {
  std::string call_id;     // required
  std::string tool;        // required
  std::string decision;    // final decision, "allow" or "deny"; required
  std::string rule;        // the matched rule, "" when a mode decided
  std::string decided_by;  // "rule", "mode", "user", ...; required
  std::string reason;
};

// One entry of the event log. The store numbers a session's events 1, 2,
// 3, ... in the order they are written.
struct EventRecord {
  std::string type;  // "executor_start", "recovery", ...; required
  Json data = Json::object();
};

// Everything one step of the loop stores, written as a whole or not at
// all. At least one list must be non-empty.
struct TurnWrite {
  // Message objects with "role" "user" or "assistant", in order.
  std::vector<Json> messages;
  std::vector<ModelCallRecord> model_calls;
  std::vector<ToolCallRecord> tool_calls;
  std::vector<PermissionRecord> permissions;
  std::vector<EventRecord> events;
};

// A compaction: the active history becomes `summary` followed by the
// messages from the first kept one on.
struct CompactionWrite {
  Json summary;  // a message object with "role" "user" or "assistant"
  // Seq of the first kept message. Set exactly this or
  // keep_last_messages. It must not precede the current first kept seq,
  // and one past the last message keeps nothing.
  std::optional<int64_t> first_kept_seq;
  // Keep the last N messages of the current active history (0 keeps
  // none); N must not exceed the active messages.
  std::optional<size_t> keep_last_messages;
  int64_t tokens_before = 0;  // context size before compaction
  // The summarising call, when there was one; its cost counts toward the
  // session. message_index must be unset.
  std::optional<ModelCallRecord> model_call;
};

class SessionStore {
 public:
  // Opens or creates the database at `path` (its folder must exist) with
  // mode 0600, the WAL journal, synchronous=NORMAL, foreign keys on and a
  // busy timeout of kBusyTimeoutMs, then migrates an older schema.
  // Errors: FailedPrecondition when the file's schema version is newer
  // than kSessionSchemaVersion (the message names the file and both
  // versions); DataLoss when it is not a SQLite database; IoError or
  // NotFound from the operating system, naming the path.
  static Result<std::unique_ptr<SessionStore>> Open(const std::string& path);
  ~SessionStore();

  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  const std::string& path() const { return path_; }

  // Creates a session with status "created" and a new random id.
  // InvalidArgument names a missing or invalid field; NotFound names an
  // unknown parent_session_id.
  Result<SessionInfo> CreateSession(const NewSession& session);

  // Returns the session with exactly this id; NotFound names the id.
  Result<SessionInfo> GetSession(std::string_view id);

  // Returns the session whose id is `id_or_prefix` or starts with it
  // (case-insensitive, at least kMinIdPrefixChars characters), like git.
  // InvalidArgument for a short or non-hex prefix, and for an ambiguous
  // one, listing up to 10 matching ids; NotFound when none matches.
  Result<SessionInfo> FindSession(std::string_view id_or_prefix);

  // Returns the most recently written session of kind "main" whose
  // work_dir equals `work_dir` exactly (for --continue); NotFound when
  // there is none.
  Result<SessionInfo> LatestSession(std::string_view work_dir);

  // Returns up to `limit` sessions (>= 1), most recently written first.
  Result<std::vector<SessionInfo>> ListSessions(size_t limit);

  // Returns the executor sessions of a managed run, oldest first.
  Result<std::vector<SessionInfo>> ListExecutorSessions(
      std::string_view parent_session_id);

  // Appends the messages (seqs continue from the session's last message)
  // and the records of `write` in one transaction, and returns the seqs
  // given to the messages. Adds to num_turns one per model call of
  // purpose "turn", and the known costs to total_cost_pico_usd.
  // Errors: NotFound for an unknown session; InvalidArgument, naming the
  // field, for an empty write, a message without a valid role, invalid
  // UTF-8, a negative count or a bad message_index (out of range or not
  // an assistant message).
  Result<std::vector<int64_t>> AppendTurn(std::string_view session_id,
                                          const TurnWrite& write);

  // Records a compaction and its model call in one transaction. Old
  // messages stay stored. InvalidArgument names a bad field or a first
  // kept seq outside the allowed range and gives that range.
  Status RecordCompaction(std::string_view session_id,
                          const CompactionWrite& write);

  // Sets the status (one of the kStatus* values) and stop reason.
  Status SetStatus(std::string_view session_id, std::string_view status,
                   std::string_view stop_reason);

  // Returns the active history with seqs; see ActiveHistory.
  Result<ActiveHistory> LoadActive(std::string_view session_id);

  // Returns the active history as the messages to send to a model. That
  // is the latest compaction's summary followed by the messages from its
  // first_kept_seq on, or all messages when there was no compaction.
  Result<std::vector<Json>> LoadActiveHistory(std::string_view session_id);

  // Returns every stored message in seq order, compacted ones included.
  Result<std::vector<StoredMessage>> LoadAllMessages(
      std::string_view session_id);

  // Creates a session whose history is `session_id`'s up to and
  // including seq `at_seq` (0 = up to the last message): messages 1 to
  // at_seq keep their seqs and content, and each compaction whose
  // first_kept_seq <= at_seq + 1 is copied, so the child's active history
  // is the parent's as it stood at that seq. Forking before the latest
  // compaction thus restores the uncompacted messages. The child has
  // parent_id = session_id, forked_at_seq = at_seq, the parent's model,
  // work_dir, title, kind and parent_session_id, status "created" and no
  // turns, cost or records of its own. The two are independent after.
  // InvalidArgument when at_seq is negative or past the last message.
  Result<SessionInfo> Fork(std::string_view session_id, int64_t at_seq);

  // Writes the session as JSON lines in the format described at the top
  // of this file. IoError when `out` fails.
  Status ExportJsonl(std::string_view session_id, std::ostream& out);

  // Runs SQLite's integrity and foreign key checks; DataLoss lists up to
  // 10 problems.
  Status CheckIntegrity();

 private:
  SessionStore(std::string path, std::unique_ptr<sqlite::Database> db);

  std::string path_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;  // guarded by mu_
};

}  // namespace boxagnts::workspace

#endif  // BOXAGNTS_WORKSPACE_SESSION_STORE_H_
