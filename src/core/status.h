// Status and Result<T>: the one error type that crosses every layer.
//
// A Status is a code plus a message. The message names the operation, the
// failing value and the reason, for example
//   open "/ws/notes.md": permission denied
// so that it can be shown to a user unchanged. Exceptions thrown by
// third-party libraries are caught at the wrapper around that library and
// turned into a Status; they never cross a layer boundary.

#ifndef BOXAGNTS_CORE_STATUS_H_
#define BOXAGNTS_CORE_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace boxagnts {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input from a user, a config file or a model
  kNotFound,           // a named file, module, session or key is missing
  kAlreadyExists,      // creation of something that must not exist yet
  kPermissionDenied,   // a policy rejected the operation
  kFailedPrecondition, // the system is not in a state that allows it
  kResourceExhausted,  // a limit was reached (fuel, memory, budget, ...)
  kDeadlineExceeded,   // a timeout expired
  kCancelled,          // the caller cancelled
  kUnavailable,        // a remote service or the network failed
  kDataLoss,           // stored data is corrupt
  kIoError,            // the operating system reported an error
  kInternal,           // a bug or an unexpected library failure
};

// Returns the lower-case name of `code`, such as "invalid argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // Creates an OK status.
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) {
    return {StatusCode::kNotFound, std::move(msg)};
  }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(msg)};
  }
  static Status Cancelled(std::string msg) {
    return {StatusCode::kCancelled, std::move(msg)};
  }
  static Status Unavailable(std::string msg) {
    return {StatusCode::kUnavailable, std::move(msg)};
  }
  static Status DataLoss(std::string msg) {
    return {StatusCode::kDataLoss, std::move(msg)};
  }
  static Status IoError(std::string msg) {
    return {StatusCode::kIoError, std::move(msg)};
  }
  static Status Internal(std::string msg) {
    return {StatusCode::kInternal, std::move(msg)};
  }

  // Builds an I/O error from an errno value: `context: strerror(errno)`.
  static Status FromErrno(std::string_view context, int errno_value);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is `prefix: message`.
  Status WithPrefix(std::string_view prefix) const;

  // Returns "OK" or "<code name>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value of type T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit on purpose
  // REQUIRES: !status.ok()
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // Returns OK when a value is held.
  Status status() const {
    return ok() ? Status::Ok() : std::get<Status>(data_);
  }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace boxagnts

// Returns the status from the enclosing function when it is not OK.
#define BOXAGNTS_RETURN_IF_ERROR(expr)             \
  do {                                             \
    ::boxagnts::Status boxagnts_status_ = (expr);  \
    if (!boxagnts_status_.ok()) return boxagnts_status_; \
  } while (0)

#endif  // BOXAGNTS_CORE_STATUS_H_
