#include "query/hook_output.h"

#include <algorithm>

namespace boxagnts::query {
namespace {

// Reads the string field `key` of `object` into `*out` when present.
Status ReadStringField(const Json& object, const char* key,
                       std::string* out) {
  auto it = object.find(key);
  if (it == object.end()) return Status::Ok();
  if (!it->is_string()) {
    return Status::InvalidArgument("\"" + std::string(key) +
                                   "\" must be a string, not " +
                                   it->dump(-1, ' ', false,
                                            Json::error_handler_t::replace));
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadInputField(const Json& object, const char* key,
                      std::optional<Json>* out) {
  auto it = object.find(key);
  if (it == object.end()) return Status::Ok();
  if (!it->is_object()) {
    return Status::InvalidArgument("\"" + std::string(key) +
                                   "\" must be a JSON object with the new "
                                   "tool input, not a " +
                                   std::string(it->type_name()));
  }
  *out = *it;
  return Status::Ok();
}

// Keeps the stricter of two decisions: block over approve over none.
void Combine(HookDecision decision, HookReply* reply) {
  reply->decision = std::max(reply->decision, decision);
}

Status ReadDecision(const Json& object, HookReply* reply) {
  std::string decision;
  BOXAGNTS_RETURN_IF_ERROR(ReadStringField(object, "decision", &decision));
  if (decision == "block") {
    Combine(HookDecision::kBlock, reply);
  } else if (decision == "approve") {
    Combine(HookDecision::kApprove, reply);
  } else if (object.contains("decision")) {
    return Status::InvalidArgument("\"decision\" must be \"block\" or "
                                   "\"approve\", not \"" + decision + "\"");
  }
  return Status::Ok();
}

// Reads Claude Code's hookSpecificOutput object.
Status ReadSpecificOutput(const Json& object, HookReply* reply) {
  auto it = object.find("hookSpecificOutput");
  if (it == object.end()) return Status::Ok();
  if (!it->is_object()) {
    return Status::InvalidArgument("\"hookSpecificOutput\" must be a JSON "
                                   "object");
  }
  const Json& specific = *it;

  std::string decision;
  BOXAGNTS_RETURN_IF_ERROR(
      ReadStringField(specific, "permissionDecision", &decision));
  if (decision == "deny") {
    Combine(HookDecision::kBlock, reply);
  } else if (decision == "allow" || decision == "ask") {
    Combine(HookDecision::kApprove, reply);
  } else if (specific.contains("permissionDecision")) {
    return Status::InvalidArgument(
        "\"hookSpecificOutput.permissionDecision\" must be \"deny\", "
        "\"allow\" or \"ask\", not \"" + decision + "\"");
  }

  std::string reason;
  BOXAGNTS_RETURN_IF_ERROR(
      ReadStringField(specific, "permissionDecisionReason", &reason));
  if (reply->reason.empty()) reply->reason = reason;

  if (!reply->updated_input) {
    BOXAGNTS_RETURN_IF_ERROR(
        ReadInputField(specific, "updatedInput", &reply->updated_input));
  }

  std::string context;
  BOXAGNTS_RETURN_IF_ERROR(
      ReadStringField(specific, "additionalContext", &context));
  if (reply->additional_context.empty()) reply->additional_context = context;
  return Status::Ok();
}

}  // namespace

Result<HookReply> ParseHookReply(std::string_view stdout_text) {
  HookReply reply;
  if (stdout_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return reply;
  }
  Result<Json> parsed = ParseJson(stdout_text, "hook output");
  if (!parsed.ok()) return parsed.status();
  const Json& object = *parsed;
  if (!object.is_object()) {
    return Status::InvalidArgument("hook output must be a JSON object, not "
                                   "a " + std::string(object.type_name()));
  }
  BOXAGNTS_RETURN_IF_ERROR(ReadDecision(object, &reply));
  BOXAGNTS_RETURN_IF_ERROR(ReadStringField(object, "reason", &reply.reason));
  BOXAGNTS_RETURN_IF_ERROR(
      ReadInputField(object, "updated_input", &reply.updated_input));
  BOXAGNTS_RETURN_IF_ERROR(ReadStringField(object, "additional_context",
                                           &reply.additional_context));
  BOXAGNTS_RETURN_IF_ERROR(ReadSpecificOutput(object, &reply));
  return reply;
}

}  // namespace boxagnts::query
