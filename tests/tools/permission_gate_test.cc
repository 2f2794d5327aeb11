#include "tools/permission_gate.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "testing/process.h"

namespace boxagnts::tools {
namespace {

// 2025-01-31T12:34:56.789Z
constexpr int64_t kFixedTimeMs = 1738326896789;

std::chrono::system_clock::time_point FixedTime() {
  return std::chrono::system_clock::time_point(
      std::chrono::milliseconds(kFixedTimeMs));
}

ToolSpec ReadSpec() {
  ToolSpec spec;
  spec.name = "Read";
  spec.read_only = true;
  spec.capabilities = kCapabilityFileRead;
  spec.path_fields = {"file_path"};
  return spec;
}

ToolSpec EditSpec() {
  ToolSpec spec;
  spec.name = "Edit";
  spec.capabilities = kCapabilityFileRead | kCapabilityFileWrite;
  spec.path_fields = {"file_path"};
  return spec;
}

// Returns a fixed response to every request and remembers the requests.
class ScriptedHandler : public ApprovalHandler {
 public:
  explicit ScriptedHandler(Result<ApprovalResponse> response)
      : response_(std::move(response)) {}
  std::string name() const override { return "scripted"; }
  Result<ApprovalResponse> RequestApproval(
      const ApprovalRequest& request,
      const CancellationToken& cancel) override {
    requests.push_back(request);
    return response_;
  }
  std::vector<ApprovalRequest> requests;

 private:
  Result<ApprovalResponse> response_;
};

class FailingAuditLog : public AuditLog {
 public:
  Status Record(const AuditEntry& entry) override {
    return Status::IoError("write audit log \"/x\": No space left on device");
  }
};

class PermissionGateTest : public ::testing::Test {
 protected:
  PermissionGateTest() {
    ::mkdir((dir_ / "w").c_str(), 0755);
    ::mkdir((dir_ / "w/src").c_str(), 0755);
    std::ofstream(dir_ / "w/src/a.cc") << "x";
    context_.work_dir = dir_ / "w";
    context_.session_id = "s1";
    context_.call_id = "c1";
  }

  void UseRules(PermissionMode mode, std::vector<std::string> deny) {
    Result<std::vector<PermissionRule>> rules =
        ParsePermissionRules(deny, RuleSource::kCommandLine);
    ASSERT_TRUE(rules.ok());
    engine_ = std::make_unique<PermissionEngine>(
        mode, PermissionRules{{}, {}, *rules}, dir_ / "home");
  }

  Result<PermissionOutcome> Authorize(ApprovalHandler* handler,
                                      const ToolSpec& spec,
                                      const std::string& input_json,
                                      AuditLog* audit = nullptr) {
    PermissionGate gate(engine_.get(), handler,
                        audit != nullptr ? audit : &audit_, &FixedTime);
    Result<Json> input = ParseJson(input_json, "test input");
    EXPECT_TRUE(input.ok());
    return gate.Authorize(spec, *input, context_, CancellationToken());
  }

  testing::TempDir dir_;
  ToolContext context_;
  std::unique_ptr<PermissionEngine> engine_ =
      std::make_unique<PermissionEngine>(PermissionMode::kDefault,
                                         PermissionRules{}, "");
  MemoryAuditLog audit_;
};

TEST_F(PermissionGateTest, ModeAllowWritesExactAuditEntry) {
  HeadlessApprovalHandler headless;
  Result<PermissionOutcome> outcome =
      Authorize(&headless, ReadSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->allowed);

  std::vector<AuditEntry> entries = audit_.entries();
  ASSERT_EQ(entries.size(), 1u);
  Json expected = {
      {"time", "2025-01-31T12:34:56.789Z"},
      {"session_id", "s1"},
      {"call_id", "c1"},
      {"tool", "Read"},
      {"input_sha256",
       "28df54aa2aa8b521a6e56ccadc571009d3b8902bf7c595b1cde22ab738cfd755"},
      {"matched_rule", "mode default: default"},
      {"rule_source", nullptr},
      {"decision", "allow"},
      {"decided_by", "mode"},
      {"approval_handler", nullptr},
      {"reason", "mode default (default): path \"" + (dir_ / "w/src/a.cc") +
                     "\" is inside the work dir"},
  };
  EXPECT_EQ(entries[0].ToJson(), expected);
}

TEST_F(PermissionGateTest, DenyRuleRecordsRuleAndSource) {
  UseRules(PermissionMode::kBypassPermissions, {"Read(src/**)"});
  ScriptedHandler handler(ApprovalResponse{ApprovalChoice::kAllowOnce, "yes"});
  Result<PermissionOutcome> outcome =
      Authorize(&handler, ReadSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->allowed);
  EXPECT_EQ(outcome->decision, Decision::kDeny);
  EXPECT_TRUE(handler.requests.empty());

  AuditEntry entry = audit_.entries().at(0);
  EXPECT_EQ(entry.matched_rule, "Read(src/**)");
  EXPECT_EQ(entry.rule_source, RuleSource::kCommandLine);
  EXPECT_EQ(entry.decision, Decision::kDeny);
  EXPECT_EQ(entry.decided_by, DecidedBy::kRule);
  EXPECT_EQ(entry.approval_handler, "");
  EXPECT_EQ(entry.reason, "deny rule \"Read(src/**)\" (command line) matches "
                          "path \"" + (dir_ / "w/src/a.cc") + "\"");
}

TEST_F(PermissionGateTest, AllowOnceAddsNoRule) {
  ScriptedHandler handler(
      ApprovalResponse{ApprovalChoice::kAllowOnce, "allowed once"});
  Result<PermissionOutcome> outcome =
      Authorize(&handler, EditSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->allowed);
  EXPECT_EQ(outcome->decided_by, DecidedBy::kApprovalHandler);
  EXPECT_EQ(outcome->check.decision, Decision::kAsk);
  ASSERT_EQ(handler.requests.size(), 1u);
  EXPECT_EQ(handler.requests[0].tool, "Edit");
  EXPECT_EQ(handler.requests[0].session_id, "s1");
  EXPECT_EQ(handler.requests[0].call_id, "c1");
  EXPECT_EQ(handler.requests[0].input, Json({{"file_path", "src/a.cc"}}));
  EXPECT_TRUE(engine_->rules().allow.empty());

  AuditEntry entry = audit_.entries().at(0);
  EXPECT_EQ(entry.decision, Decision::kAllow);
  EXPECT_EQ(entry.decided_by, DecidedBy::kApprovalHandler);
  EXPECT_EQ(entry.approval_handler, "scripted");
  EXPECT_EQ(entry.matched_rule, "mode default: default");
  EXPECT_EQ(entry.reason,
            "allowed once (asked because mode default (default): \"Edit\" is "
            "not read-only)");

  // The next call asks again.
  ASSERT_TRUE(
      Authorize(&handler, EditSpec(), R"({"file_path":"src/a.cc"})").ok());
  EXPECT_EQ(handler.requests.size(), 2u);
}

TEST_F(PermissionGateTest, AllowAlwaysAddsSessionRule) {
  ScriptedHandler handler(
      ApprovalResponse{ApprovalChoice::kAllowAlways, "allowed always"});
  ASSERT_TRUE(
      Authorize(&handler, EditSpec(), R"({"file_path":"src/a.cc"})").ok());
  std::string rule_text = "Edit(/" + (dir_ / "w/src/a.cc") + ")";
  PermissionRules rules = engine_->rules();
  ASSERT_EQ(rules.allow.size(), 1u);
  EXPECT_EQ(rules.allow[0].text, rule_text);
  EXPECT_EQ(rules.allow[0].source, RuleSource::kSession);
  EXPECT_EQ(audit_.entries().at(0).reason,
            "allowed always (asked because mode default (default): \"Edit\" "
            "is not read-only); added session rule " + rule_text);

  // The same call now runs without asking, by the session rule.
  Result<PermissionOutcome> second =
      Authorize(&handler, EditSpec(), R"({"file_path":"./src/a.cc"})");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->allowed);
  EXPECT_EQ(handler.requests.size(), 1u);
  AuditEntry entry = audit_.entries().at(1);
  EXPECT_EQ(entry.decided_by, DecidedBy::kRule);
  EXPECT_EQ(entry.matched_rule, rule_text);
  EXPECT_EQ(entry.rule_source, RuleSource::kSession);
}

TEST_F(PermissionGateTest, HandlerDenyDenies) {
  ScriptedHandler handler(ApprovalResponse{ApprovalChoice::kDeny, "no"});
  Result<PermissionOutcome> outcome =
      Authorize(&handler, EditSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->allowed);
  EXPECT_EQ(audit_.entries().at(0).decision, Decision::kDeny);
}

TEST_F(PermissionGateTest, HandlerErrorDenies) {
  ScriptedHandler handler(Status::Cancelled("approval prompt cancelled: bye"));
  Result<PermissionOutcome> outcome =
      Authorize(&handler, EditSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->allowed);
  EXPECT_EQ(outcome->reason,
            "approval failed: approval prompt cancelled: bye (asked because "
            "mode default (default): \"Edit\" is not read-only)");
}

TEST_F(PermissionGateTest, HeadlessDeniesWithHint) {
  HeadlessApprovalHandler headless;
  Result<PermissionOutcome> outcome =
      Authorize(&headless, EditSpec(), R"({"file_path":"src/a.cc"})");
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->allowed);
  EXPECT_EQ(outcome->decided_by, DecidedBy::kApprovalHandler);
  EXPECT_EQ(outcome->reason,
            "approval needed but no one can answer: run with --allow RULE or "
            "a permission mode (for this call: --allow \"Edit(/" +
                (dir_ / "w/src/a.cc") +
                ")\") (asked because mode default (default): \"Edit\" is not "
                "read-only)");
  AuditEntry entry = audit_.entries().at(0);
  EXPECT_EQ(entry.approval_handler, "headless");
  EXPECT_EQ(entry.decision, Decision::kDeny);
  EXPECT_TRUE(engine_->rules().allow.empty());
}

TEST_F(PermissionGateTest, AuditFailureIsAnError) {
  HeadlessApprovalHandler headless;
  FailingAuditLog failing;
  Result<PermissionOutcome> outcome = Authorize(
      &headless, ReadSpec(), R"({"file_path":"src/a.cc"})", &failing);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kIoError);
}

// A terminal handler connected to two pipes.
class TerminalPipes {
 public:
  TerminalPipes() {
    EXPECT_EQ(::pipe(answers_), 0);
    EXPECT_EQ(::pipe(prompts_), 0);
    handler_ = std::make_unique<TerminalApprovalHandler>(answers_[0],
                                                         prompts_[1], false);
  }
  ~TerminalPipes() {
    handler_.reset();
    for (int fd : {answers_[0], answers_[1], prompts_[0], prompts_[1]}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void Type(const std::string& text) {
    ASSERT_EQ(::write(answers_[1], text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
  }
  void CloseInput() {
    ::close(answers_[1]);
    answers_[1] = -1;
  }
  std::string ReadPrompts() {
    ::close(prompts_[1]);
    prompts_[1] = -1;
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(prompts_[0], buffer, sizeof(buffer))) > 0) {
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }
  TerminalApprovalHandler& handler() { return *handler_; }

 private:
  int answers_[2] = {-1, -1};
  int prompts_[2] = {-1, -1};
  std::unique_ptr<TerminalApprovalHandler> handler_;
};

ApprovalRequest TerminalRequest() {
  ApprovalRequest request;
  request.session_id = "s1";
  request.call_id = "c1";
  request.tool = "Edit";
  request.input = {{"file_path", "a\u001b[2J\u202e.txt"}};
  request.check.decision = Decision::kAsk;
  request.check.reason = "path \"/w/a\n[y] fake\" needs approval";
  request.check.always_allow_rules.push_back(
      MakeExactPathRule("Edit", "/w/a.txt", RuleSource::kSession));
  return request;
}

TEST(TerminalApprovalHandler, AlwaysAnswerAndPromptText) {
  TerminalPipes pipes;
  pipes.Type("  ALWAYS \n");
  Result<ApprovalResponse> response = pipes.handler().RequestApproval(
      TerminalRequest(), CancellationToken());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->choice, ApprovalChoice::kAllowAlways);
  EXPECT_EQ(response->reason, "allowed always at the terminal");
  EXPECT_EQ(pipes.ReadPrompts(),
            "\nboxagnts: permission needed to run Edit (session s1, call c1)\n"
            "  input:  {\"file_path\":\"a\\u001b[2J\\u202e.txt\"}\n"
            "  reason: path \"/w/a\\x0a[y] fake\" needs approval\n"
            "  [y] allow once\n"
            "  [a] allow always, adding the session rule Edit(//w/a.txt)\n"
            "  [n] deny\n"
            "Allow? [y/a/N] ");
}

TEST(TerminalApprovalHandler, RepromptsThenAllowsOnce) {
  TerminalPipes pipes;
  pipes.Type("maybe\ny\n");
  Result<ApprovalResponse> response = pipes.handler().RequestApproval(
      TerminalRequest(), CancellationToken());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->choice, ApprovalChoice::kAllowOnce);
  std::string prompts = pipes.ReadPrompts();
  EXPECT_NE(prompts.find("Please answer y (once), a (always) or n (deny): "),
            std::string::npos);
}

TEST(TerminalApprovalHandler, EmptyLineDenies) {
  TerminalPipes pipes;
  pipes.Type("\n");
  Result<ApprovalResponse> response = pipes.handler().RequestApproval(
      TerminalRequest(), CancellationToken());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->choice, ApprovalChoice::kDeny);
  EXPECT_EQ(response->reason, "denied at the terminal");
}

TEST(TerminalApprovalHandler, ThreeInvalidAnswersDeny) {
  TerminalPipes pipes;
  pipes.Type("x\nyy\nallow\ny\n");
  Result<ApprovalResponse> response = pipes.handler().RequestApproval(
      TerminalRequest(), CancellationToken());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->choice, ApprovalChoice::kDeny);
  EXPECT_EQ(response->reason, "denied at the terminal after 3 invalid answers");
}

TEST(TerminalApprovalHandler, EndOfInputDenies) {
  TerminalPipes pipes;
  pipes.CloseInput();
  Result<ApprovalResponse> response = pipes.handler().RequestApproval(
      TerminalRequest(), CancellationToken());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->choice, ApprovalChoice::kDeny);
  EXPECT_EQ(response->reason, "no answer at the terminal (end of input)");
}

TEST(TerminalApprovalHandler, CancelledWhileWaiting) {
  TerminalPipes pipes;
  CancellationSource source;
  source.Cancel("session ended");
  Result<ApprovalResponse> response =
      pipes.handler().RequestApproval(TerminalRequest(), source.token());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(response.status().message(),
            "approval prompt cancelled: session ended");
}

TEST(TerminalApprovalHandler, OpenNamesMissingTerminal) {
  Result<std::unique_ptr<TerminalApprovalHandler>> handler =
      TerminalApprovalHandler::Open("/nonexistent/tty");
  ASSERT_FALSE(handler.ok());
  EXPECT_NE(handler.status().message().find("\"/nonexistent/tty\""),
            std::string::npos);
}

TEST(EscapeForTerminal, EscapesSteeringCharacters) {
  EXPECT_EQ(EscapeForTerminal("plain ü text"), "plain ü text");
  EXPECT_EQ(EscapeForTerminal("a\x1b[31mb"), "a\\x1b[31mb");
  EXPECT_EQ(EscapeForTerminal("line\nnext\r"), "line\\x0anext\\x0d");
  EXPECT_EQ(EscapeForTerminal("del\x7f"), "del\\x7f");
  EXPECT_EQ(EscapeForTerminal("c1\xc2\x9b"), "c1\\xc2\\x9b");
  EXPECT_EQ(EscapeForTerminal("rlo\u202eevil"), "rlo\\xe2\\x80\\xaeevil");
  EXPECT_EQ(EscapeForTerminal("isolate\u2066x"), "isolate\\xe2\\x81\\xa6x");
}

}  // namespace
}  // namespace boxagnts::tools
