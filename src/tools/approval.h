// Approval handlers decide the calls that the permission engine sends to
// "ask".
//
// The runtime has one active handler: a person at the terminal, a client
// of the server (a handler that the server plugs in), or no one, in which
// case every "ask" becomes a deny.

#ifndef BOXAGNTS_TOOLS_APPROVAL_H_
#define BOXAGNTS_TOOLS_APPROVAL_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/cancellation.h"
#include "core/json.h"
#include "core/status.h"
#include "tools/permission_engine.h"

namespace boxagnts::tools {

enum class ApprovalChoice {
  kAllowOnce,    // run this call
  kAllowAlways,  // run it and add check.always_allow_rules to the session
  kDeny,
};

struct ApprovalRequest {
  std::string session_id;
  std::string call_id;
  std::string tool;
  Json input;
  PermissionCheck check;  // the kAsk result: reason and always_allow_rules
};

struct ApprovalResponse {
  ApprovalChoice choice = ApprovalChoice::kDeny;
  std::string reason;  // for the audit log and, on deny, for the model
};

// Interface for anything that can decide an "ask". Implementations must
// be safe to call from several threads; they may serialise the requests.
class ApprovalHandler {
 public:
  virtual ~ApprovalHandler() = default;

  // Short name for the audit log, such as "terminal" or "headless".
  virtual std::string name() const = 0;

  // Returns the response to `request`, blocking until there is one. Errors
  // (Cancelled when `cancel` fires, IoError, ...) count as a deny.
  virtual Result<ApprovalResponse> RequestApproval(
      const ApprovalRequest& request, const CancellationToken& cancel) = 0;
};

// The reason HeadlessApprovalHandler gives, before its hint for the call.
inline constexpr std::string_view kHeadlessDenyReason =
    "approval needed but no one can answer: run with --allow RULE or a "
    "permission mode";

// Denies every request, for runs without a person or client to ask. The
// reason is kHeadlessDenyReason followed by the rule that would allow the
// call, such as ` (for this call: --allow "Edit(//w/a.txt)")`.
class HeadlessApprovalHandler : public ApprovalHandler {
 public:
  std::string name() const override { return "headless"; }
  Result<ApprovalResponse> RequestApproval(
      const ApprovalRequest& request, const CancellationToken& cancel) override;
};

// Prompts a person on a terminal: allow once, allow always, or deny. One
// prompt is shown at a time. Text from the model (the input) is shown as
// JSON with control and bidirectional-override characters escaped, so it
// cannot move the cursor or disguise itself.
class TerminalApprovalHandler : public ApprovalHandler {
 public:
  // Opens `tty_path` (the controlling terminal by default) for reading and
  // writing. Errors (from errno, such as NotFound or IoError) name the
  // path, for example when the process has no terminal.
  static Result<std::unique_ptr<TerminalApprovalHandler>> Open(
      const std::string& tty_path = "/dev/tty");

  // Reads responses from `input_fd` and writes prompts to `output_fd`.
  // Closes both on destruction when `owns_fds` is true.
  TerminalApprovalHandler(int input_fd, int output_fd, bool owns_fds);
  ~TerminalApprovalHandler() override;

  TerminalApprovalHandler(const TerminalApprovalHandler&) = delete;
  TerminalApprovalHandler& operator=(const TerminalApprovalHandler&) = delete;

  std::string name() const override { return "terminal"; }

  // Prompts and reads one line: "y" or "yes" allows once, "a" or "always"
  // allows always, and "n", "no" or an empty line denies (case is
  // ignored). After three other lines, or at end of input, the call is
  // denied. Errors: Cancelled
  // when `cancel` fires while waiting, IoError when the terminal fails.
  Result<ApprovalResponse> RequestApproval(
      const ApprovalRequest& request, const CancellationToken& cancel) override;

 private:
  Status WritePrompt(std::string_view text);
  // Reads one line without its newline; nullopt at end of input.
  Result<std::optional<std::string>> ReadLine(const CancellationToken& cancel);

  std::mutex mutex_;  // one prompt at a time
  const int input_fd_;
  const int output_fd_;
  const bool owns_fds_;
};

// Escapes bytes that could steer a terminal: C0 controls (newline
// included, so that text cannot fake a line of the prompt), DEL, C1
// controls, and the Unicode bidirectional overrides and isolates (U+202A
// to U+202E, U+2066 to U+2069). Each byte becomes \xNN.
std::string EscapeForTerminal(std::string_view text);

}  // namespace boxagnts::tools

#endif  // BOXAGNTS_TOOLS_APPROVAL_H_
