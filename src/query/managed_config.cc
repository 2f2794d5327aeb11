#include "query/managed_config.h"

#include <cmath>
#include <sstream>

#include <toml++/toml.h>

#include "core/toml_text.h"

namespace boxagnts::query {

namespace {

Status Err(const std::string& source, const std::string& key,
           const std::string& message) {
  return Status::InvalidArgument(source + ": managed_agents." + key + ": " +
                                 message);
}

Result<int64_t> Int(const toml::node& node, int64_t min, int64_t max) {
  const auto* v = node.as_integer();
  if (v == nullptr) return Status::InvalidArgument("expected an integer");
  if (v->get() < min || v->get() > max) {
    return Status::InvalidArgument("expected " + std::to_string(min) + " to " +
                                   std::to_string(max) + ", got " +
                                   std::to_string(v->get()));
  }
  return v->get();
}

Result<double> Usd(const toml::node& node) {
  double value = 0;
  if (const auto* f = node.as_floating_point()) {
    value = f->get();
  } else if (const auto* i = node.as_integer()) {
    value = double(i->get());
  } else {
    return Status::InvalidArgument("expected an amount in USD, such as 2.5");
  }
  if (!std::isfinite(value) || value < 0) {
    return Status::InvalidArgument("expected a non-negative amount");
  }
  return value;
}

}  // namespace

std::string_view BudgetSplitName(BudgetSplit split) {
  switch (split) {
    case BudgetSplit::kShared: return "shared";
    case BudgetSplit::kManagerReserve: return "manager_reserve";
    case BudgetSplit::kPerExecutor: return "per_executor";
  }
  return "shared";
}

Status ParseManagedToml(std::string_view text, const std::string& source,
                        ManagedConfig* config) {
  Result<toml::table> parsed = ParseTomlText(text, source);
  if (!parsed.ok()) return parsed.status();
  toml::table& root = *parsed;
  const toml::node* section = root.get("managed_agents");
  if (section == nullptr) return Status::Ok();
  const toml::table* table = section->as_table();
  if (table == nullptr) {
    return Status::InvalidArgument(source +
                                   ": \"managed_agents\" must be a table");
  }
  ManagedConfig c = *config;
  for (const auto& [key_view, node] : *table) {
    std::string key(key_view.str());
    Status status = Status::Ok();
    auto set_int = [&](int* field, int64_t min, int64_t max) {
      Result<int64_t> v = Int(node, min, max);
      status = v.status();
      if (v.ok()) *field = int(*v);
    };
    if (key == "executor_model") {
      if (const auto* s = node.as_string()) {
        c.executor_model = s->get();
      } else {
        status = Status::InvalidArgument("expected a model id string");
      }
    } else if (key == "max_concurrent_executors") {
      set_int(&c.max_concurrent_executors, 1, 256);
    } else if (key == "max_executors") {
      set_int(&c.max_executors, 1, 10'000);
    } else if (key == "max_depth") {
      // TODO: nested executor pools; until then executors never get the
      // Agent tools, so a deeper setting would be silently ignored.
      set_int(&c.max_depth, 1, 1);
      if (!status.ok()) {
        status = Status::InvalidArgument(
            "only 1 is supported (executors cannot start executors); got " +
            std::to_string(node.value_or<int64_t>(0)));
      }
    } else if (key == "executor_max_turns") {
      set_int(&c.executor_max_turns, 1, 100'000);
    } else if (key == "total_budget_usd") {
      Result<double> v = Usd(node);
      status = v.status();
      if (v.ok()) c.total_budget_usd = *v;
    } else if (key == "per_executor_budget_usd") {
      Result<double> v = Usd(node);
      status = v.status();
      if (v.ok()) c.per_executor_budget_usd = *v;
    } else if (key == "manager_reserve_percent") {
      Result<double> v = Usd(node);
      status = v.status();
      if (v.ok() && *v >= 100) {
        status = Status::InvalidArgument("expected a percentage below 100");
      } else if (v.ok()) {
        c.manager_reserve_percent = *v;
      }
    } else if (key == "budget_split") {
      const auto* s = node.as_string();
      std::string value = s ? std::string(s->get()) : "";
      if (value == "shared") {
        c.budget_split = BudgetSplit::kShared;
      } else if (value == "manager_reserve") {
        c.budget_split = BudgetSplit::kManagerReserve;
      } else if (value == "per_executor") {
        c.budget_split = BudgetSplit::kPerExecutor;
      } else {
        status = Status::InvalidArgument(
            "expected \"shared\", \"manager_reserve\" or \"per_executor\"");
      }
    } else {
      return Status::InvalidArgument(
          source + ": unknown key managed_agents." + key +
          " (known: executor_model, max_concurrent_executors, "
          "max_executors, max_depth, executor_max_turns, total_budget_usd, "
          "budget_split, manager_reserve_percent, per_executor_budget_usd)");
    }
    if (!status.ok()) return Err(source, key, status.message());
  }
  if (c.budget_split == BudgetSplit::kPerExecutor &&
      !c.per_executor_budget_usd) {
    return Err(source, "budget_split",
               "\"per_executor\" needs per_executor_budget_usd");
  }
  *config = c;
  return Status::Ok();
}

}  // namespace boxagnts::query
