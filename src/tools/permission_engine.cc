#include "tools/permission_engine.h"

#include <mutex>

#include "tools/permission_targets.h"

namespace boxagnts::tools {
namespace {

// The decision for one target and what settled it.
struct TargetDecision {
  Decision decision = Decision::kDeny;
  const PermissionRule* rule = nullptr;
  DecidedBy decided_by = DecidedBy::kMode;
  std::string reason;
};

// The rules of each list that govern the tool being checked.
struct ApplicableRules {
  std::vector<const PermissionRule*> allow;
  std::vector<const PermissionRule*> ask;
  std::vector<const PermissionRule*> deny;
};

std::vector<const PermissionRule*> SelectRules(
    const std::vector<PermissionRule>& rules, const ToolSpec& spec) {
  std::vector<const PermissionRule*> out;
  for (const PermissionRule& rule : rules) {
    if (RuleAppliesToTool(rule, spec)) out.push_back(&rule);
  }
  return out;
}

TargetDecision ByRule(Decision decision, const PermissionRule* rule,
                      const PermissionTarget& target) {
  std::string reason = std::string(DecisionName(decision)) + " rule \"" +
                       rule->text + "\" (" +
                       std::string(RuleSourceDescription(rule->source)) +
                       ") matches " + DescribeTarget(target);
  return {decision, rule, DecidedBy::kRule, std::move(reason)};
}

TargetDecision ByMode(Decision decision, PermissionMode mode,
                      const std::string& why) {
  return {decision, nullptr, DecidedBy::kMode,
          "mode default (" + std::string(PermissionModeName(mode)) +
              "): " + why};
}

// Applies the mode's default to a target that no rule matched.
TargetDecision ModeDefault(const ToolSpec& spec, PermissionMode mode,
                           const PermissionTarget& target,
                           const AnchorDirs& dirs) {
  std::string tool = "\"" + spec.name + "\"";
  if (mode == PermissionMode::kBypassPermissions) {
    return ByMode(Decision::kAllow, mode,
                  "every call runs unless a deny or ask rule matches");
  }
  if (spec.capabilities & kCapabilityNetwork) {
    return ByMode(Decision::kAsk, mode, tool + " uses the network");
  }
  bool edits_accepted = mode == PermissionMode::kAcceptEdits &&
                        (spec.capabilities & kCapabilityFileWrite);
  if (!spec.read_only && !edits_accepted) {
    return ByMode(Decision::kAsk, mode, tool + " is not read-only");
  }
  if (const auto* path = std::get_if<PathTarget>(&target)) {
    if (IsSameOrInside(path->resolved, dirs.work_dir_resolved)) {
      return ByMode(Decision::kAllow, mode,
                    DescribeTarget(target) + " is inside the work dir");
    }
    return ByMode(Decision::kAsk, mode,
                  DescribeTarget(target) + " is outside the work dir \"" +
                      dirs.work_dir_resolved + "\"");
  }
  if (std::holds_alternative<UrlTarget>(target)) {
    return ByMode(Decision::kAsk, mode, tool + " fetches a URL");
  }
  if (spec.capabilities & (kCapabilityFileRead | kCapabilityFileWrite)) {
    return ByMode(Decision::kAsk, mode,
                  tool + " uses files but has no path field to check");
  }
  return ByMode(Decision::kAllow, mode,
                tool + " is read-only and uses no files or network");
}

TargetDecision DecideTarget(const ToolSpec& spec, PermissionMode mode,
                            const PermissionTarget& target,
                            const ApplicableRules& rules,
                            const AnchorDirs& dirs) {
  for (const PermissionRule* rule : rules.deny) {
    if (RuleMatchesTarget(*rule, target, dirs, MatchPurpose::kRestrict)) {
      return ByRule(Decision::kDeny, rule, target);
    }
  }
  if (mode == PermissionMode::kPlan && !spec.read_only) {
    return ByMode(Decision::kDeny, mode,
                  "\"" + spec.name +
                      "\" is not read-only, and plan mode changes nothing");
  }
  for (const PermissionRule* rule : rules.ask) {
    if (RuleMatchesTarget(*rule, target, dirs, MatchPurpose::kRestrict)) {
      return ByRule(Decision::kAsk, rule, target);
    }
  }
  for (const PermissionRule* rule : rules.allow) {
    if (RuleMatchesTarget(*rule, target, dirs, MatchPurpose::kGrant)) {
      return ByRule(Decision::kAllow, rule, target);
    }
  }
  return ModeDefault(spec, mode, target, dirs);
}

PermissionCheck InvalidInput(PermissionMode mode, const ToolSpec& spec,
                             const Status& status) {
  PermissionCheck check;
  check.decision = Decision::kDeny;
  check.decided_by = DecidedBy::kInvalidInput;
  check.mode = mode;
  check.reason = "cannot check the call of \"" + spec.name +
                 "\": " + status.message();
  return check;
}

// Lists the session rules that would allow every target of the call.
std::vector<PermissionRule> AlwaysAllowRules(
    const ToolSpec& spec, const std::vector<PermissionTarget>& targets) {
  std::vector<PermissionRule> out;
  for (const PermissionTarget& target : targets) {
    PermissionRule rule;
    if (const auto* path = std::get_if<PathTarget>(&target)) {
      rule = MakeExactPathRule(spec.name, path->resolved, RuleSource::kSession);
    } else if (const auto* url = std::get_if<UrlTarget>(&target)) {
      rule = MakeDomainRule(spec.name, url->url.host.text,
                            RuleSource::kSession);
    } else {
      rule = MakeToolRule(spec.name, RuleSource::kSession);
    }
    bool seen = false;
    for (const PermissionRule& existing : out) {
      seen = seen || existing.text == rule.text;
    }
    if (!seen) out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

std::string PermissionCheck::MatchedRuleText() const {
  if (rule) return rule->text;
  if (decided_by == DecidedBy::kInvalidInput) return "invalid input";
  return "mode default: " + std::string(PermissionModeName(mode));
}

PermissionEngine::PermissionEngine(PermissionMode mode, PermissionRules rules,
                                   std::string home_dir)
    : mode_(mode), rules_(std::move(rules)), home_dir_(std::move(home_dir)) {}

PermissionCheck PermissionEngine::Check(const ToolSpec& spec,
                                        const Json& input,
                                        const std::string& work_dir) const {
  std::shared_lock lock(mutex_);
  PermissionMode mode = mode_;
  Result<AnchorDirs> dirs = MakeAnchorDirs(work_dir, home_dir_);
  if (!dirs.ok()) return InvalidInput(mode, spec, dirs.status());
  Result<std::vector<PermissionTarget>> targets =
      CollectTargets(spec, input, *dirs);
  if (!targets.ok()) return InvalidInput(mode, spec, targets.status());

  ApplicableRules rules{SelectRules(rules_.allow, spec),
                        SelectRules(rules_.ask, spec),
                        SelectRules(rules_.deny, spec)};
  // The strictest target decides; among equals, the first one.
  std::optional<TargetDecision> strictest;
  for (const PermissionTarget& target : *targets) {
    TargetDecision decision = DecideTarget(spec, mode, target, rules, *dirs);
    if (!strictest || decision.decision > strictest->decision) {
      strictest = std::move(decision);
    }
  }

  PermissionCheck check;
  check.decision = strictest->decision;
  if (strictest->rule != nullptr) check.rule = *strictest->rule;
  check.decided_by = strictest->decided_by;
  check.mode = mode;
  check.reason = std::move(strictest->reason);
  if (check.decision == Decision::kAsk) {
    check.always_allow_rules = AlwaysAllowRules(spec, *targets);
  }
  return check;
}

void PermissionEngine::AddSessionRule(PermissionRule rule) {
  rule.source = RuleSource::kSession;
  std::unique_lock lock(mutex_);
  rules_.allow.push_back(std::move(rule));
}

void PermissionEngine::SetMode(PermissionMode mode) {
  std::unique_lock lock(mutex_);
  mode_ = mode;
}

PermissionMode PermissionEngine::mode() const {
  std::shared_lock lock(mutex_);
  return mode_;
}

PermissionRules PermissionEngine::rules() const {
  std::shared_lock lock(mutex_);
  return rules_;
}

}  // namespace boxagnts::tools
