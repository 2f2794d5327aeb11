#include "tools/approval.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.h"

namespace boxagnts::tools {
namespace {

constexpr size_t kMaxShownInputBytes = 1000;
constexpr size_t kMaxResponseBytes = 64;
constexpr int kMaxResponseAttempts = 3;
constexpr int kPollIntervalMs = 100;  // how often a wait checks `cancel`

void AppendEscapedByte(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += "\\x";
  *out += kHex[c >> 4];
  *out += kHex[c & 0xf];
}

// Returns how many bytes at text[i] form a character to escape, or 0.
size_t SteeringSequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) -> unsigned char {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0;
  };
  unsigned char c = byte(i);
  if (c < 0x20 || c == 0x7f) return 1;
  // C1 controls, U+0080 to U+009F.
  if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) return 2;
  // U+202A to U+202E, then U+2066 to U+2069.
  if (c == 0xe2 && byte(i + 1) == 0x80 && byte(i + 2) >= 0xaa &&
      byte(i + 2) <= 0xae) {
    return 3;
  }
  if (c == 0xe2 && byte(i + 1) == 0x81 && byte(i + 2) >= 0xa6 &&
      byte(i + 2) <= 0xa9) {
    return 3;
  }
  return 0;
}

std::string ShownInput(const Json& input) {
  // ensure_ascii escapes every non-ASCII character as \uXXXX.
  std::string text =
      input.dump(-1, ' ', true, Json::error_handler_t::replace);
  if (text.size() > kMaxShownInputBytes) {
    size_t total = text.size();
    text.resize(kMaxShownInputBytes);
    text += "... (" + std::to_string(total) + " bytes in all)";
  }
  return text;
}

std::string RuleList(const std::vector<PermissionRule>& rules) {
  std::string out;
  for (const PermissionRule& rule : rules) {
    if (!out.empty()) out += ", ";
    out += rule.text;
  }
  return out;
}

std::string BuildPrompt(const ApprovalRequest& request) {
  std::string prompt = "\nboxagnts: permission needed to run " +
                       EscapeForTerminal(request.tool) + " (session " +
                       EscapeForTerminal(request.session_id) + ", call " +
                       EscapeForTerminal(request.call_id) + ")\n";
  prompt += "  input:  " + ShownInput(request.input) + "\n";
  prompt += "  reason: " + EscapeForTerminal(request.check.reason) + "\n";
  prompt += "  [y] allow once\n";
  prompt += "  [a] allow always, adding the session rule " +
            EscapeForTerminal(RuleList(request.check.always_allow_rules)) +
            "\n";
  prompt += "  [n] deny\n";
  prompt += "Allow? [y/a/N] ";
  return prompt;
}

std::string ToLowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::optional<ApprovalChoice> ParseResponse(const std::string& line) {
  size_t begin = line.find_first_not_of(" \t\r");
  size_t end = line.find_last_not_of(" \t\r");
  std::string word = begin == std::string::npos
                         ? ""
                         : ToLowerAscii(line.substr(begin, end - begin + 1));
  if (word == "y" || word == "yes") return ApprovalChoice::kAllowOnce;
  if (word == "a" || word == "always") return ApprovalChoice::kAllowAlways;
  if (word.empty() || word == "n" || word == "no") return ApprovalChoice::kDeny;
  return std::nullopt;
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t length = SteeringSequenceLength(text, i);
    if (length == 0) {
      out += text[i++];
      continue;
    }
    for (size_t k = 0; k < length && i < text.size(); ++k, ++i) {
      AppendEscapedByte(static_cast<unsigned char>(text[i]), &out);
    }
  }
  return out;
}

Result<ApprovalResponse> HeadlessApprovalHandler::RequestApproval(
    const ApprovalRequest& request, const CancellationToken& cancel) {
  ApprovalResponse response;
  response.choice = ApprovalChoice::kDeny;
  response.reason = std::string(kHeadlessDenyReason);
  std::string hint;
  for (const PermissionRule& rule : request.check.always_allow_rules) {
    hint += (hint.empty() ? "" : " ") + std::string("--allow \"") +
            rule.text + "\"";
  }
  if (!hint.empty()) response.reason += " (for this call: " + hint + ")";
  return response;
}

Result<std::unique_ptr<TerminalApprovalHandler>> TerminalApprovalHandler::Open(
    const std::string& tty_path) {
  int fd = ::open(tty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return Status::FromErrno("open terminal \"" + tty_path +
                                 "\" for approval prompts (run with "
                                 "--allow rules or a permission mode "
                                 "instead)",
                             errno);
  }
  int output_fd = ::dup(fd);
  if (output_fd < 0) {
    int saved = errno;
    ::close(fd);
    return Status::FromErrno("dup \"" + tty_path + "\"", saved);
  }
  return std::make_unique<TerminalApprovalHandler>(fd, output_fd, true);
}

TerminalApprovalHandler::TerminalApprovalHandler(int input_fd, int output_fd,
                                                 bool owns_fds)
    : input_fd_(input_fd), output_fd_(output_fd), owns_fds_(owns_fds) {}

TerminalApprovalHandler::~TerminalApprovalHandler() {
  if (!owns_fds_) return;
  ::close(input_fd_);
  ::close(output_fd_);
}

Status TerminalApprovalHandler::WritePrompt(std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(output_fd_, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write approval prompt", errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> TerminalApprovalHandler::ReadLine(
    const CancellationToken& cancel) {
  std::string line;
  while (true) {
    if (cancel.IsCancelled()) {
      return Status::Cancelled("approval prompt cancelled: " +
                               cancel.Reason());
    }
    struct pollfd poll_fd = {input_fd_, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, kPollIntervalMs);
    if (ready < 0 && errno != EINTR) {
      return Status::FromErrno("wait for an approval response", errno);
    }
    if (ready <= 0) continue;
    char c = 0;
    ssize_t n = ::read(input_fd_, &c, 1);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::FromErrno("read approval response", errno);
    }
    if (n == 0) {
      if (line.empty()) return std::optional<std::string>();
      return std::optional<std::string>(line);
    }
    if (c == '\n') return std::optional<std::string>(line);
    // A longer line is never a valid response, so a prefix is enough.
    if (line.size() < kMaxResponseBytes) line += c;
  }
}

Result<ApprovalResponse> TerminalApprovalHandler::RequestApproval(
    const ApprovalRequest& request, const CancellationToken& cancel) {
  std::lock_guard lock(mutex_);
  BOXAGNTS_RETURN_IF_ERROR(WritePrompt(BuildPrompt(request)));
  for (int attempt = 0; attempt < kMaxResponseAttempts; ++attempt) {
    Result<std::optional<std::string>> line = ReadLine(cancel);
    if (!line.ok()) return line.status();
    if (!line->has_value()) {
      return ApprovalResponse{ApprovalChoice::kDeny,
                              "no answer at the terminal (end of input)"};
    }
    std::optional<ApprovalChoice> choice = ParseResponse(**line);
    if (choice == ApprovalChoice::kAllowOnce) {
      return ApprovalResponse{*choice, "allowed once at the terminal"};
    }
    if (choice == ApprovalChoice::kAllowAlways) {
      return ApprovalResponse{*choice, "allowed always at the terminal"};
    }
    if (choice == ApprovalChoice::kDeny) {
      return ApprovalResponse{*choice, "denied at the terminal"};
    }
    BOXAGNTS_RETURN_IF_ERROR(
        WritePrompt("Please answer y (once), a (always) or n (deny): "));
  }
  spdlog::warn(
      "approval denied after {} invalid responses session={} call={}",
      kMaxResponseAttempts, request.session_id, request.call_id);
  return ApprovalResponse{ApprovalChoice::kDeny,
                          "denied at the terminal after " +
                              std::to_string(kMaxResponseAttempts) +
                              " invalid answers"};
}

}  // namespace boxagnts::tools
