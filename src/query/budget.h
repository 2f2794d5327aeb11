// Money limits for model calls: a pool that never lets the total cost of
// its calls cross its cap.
//
// Before a call the loop reserves the call's worst case (see
// WorstCaseCost); a reservation is granted only while every granted
// reservation plus everything already spent fits under the cap. After the
// call the reservation is settled with the actual cost. Since a worst case
// is an upper bound of the actual cost, the sum of actual costs never
// exceeds the cap, even when several loops share one pool at once.
//
// All amounts are integer picodollars (1e-12 USD).
#ifndef BOXAGNTS_QUERY_BUDGET_H_
#define BOXAGNTS_QUERY_BUDGET_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "providers/message.h"
#include "providers/model_catalog.h"

namespace boxagnts::query {

// Converts a dollar amount given by a user (--max-budget-usd 0.5) to
// picodollars. Rejects negative, non-finite and absurd (> 1e6) values,
// naming `what`.
Result<int64_t> UsdToPico(double usd, const std::string& what);

// Upper bound of the input tokens of `request`: the previous call's
// actual input (all token kinds) plus the UTF-8 bytes of what was added
// since, or the bytes of the whole request when there is no previous
// call. Byte-level tokenizers emit at least one byte per token, so bytes
// bound tokens; a fixed allowance covers the tokens a provider adds
// around tools and roles.
struct InputEstimate {
  int64_t tokens = 0;
  bool from_previous_usage = false;
};
// `previous_message_count` is the number of `messages` the previous call
// was sent.
InputEstimate EstimateInputTokens(
    const std::string& system,
    const std::vector<providers::ToolDefinition>& tools,
    const std::vector<providers::Message>& messages,
    std::optional<int64_t> previous_input_tokens,
    size_t previous_message_count);

// The maximum cost of a call: `input_tokens` at the highest of the input,
// cache-read and cache-write prices, plus `max_output_tokens` at the
// output price.
int64_t WorstCaseCost(const providers::ModelPrices& prices,
                      int64_t input_tokens, int64_t max_output_tokens);

// A reservation of money in a BudgetPool. Settle it once; an unsettled
// reservation is released when destroyed.
class BudgetPool;
class Reservation {
 public:
  Reservation() = default;
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  ~Reservation();

  bool active() const { return pool_ != nullptr; }
  int64_t amount_pico_usd() const { return amount_; }
  // Records `actual_pico_usd` as spent and frees the reservation. An
  // actual cost above the reservation is recorded in full and logged.
  void Settle(int64_t actual_pico_usd);

 private:
  friend class BudgetPool;
  Reservation(BudgetPool* pool, int64_t amount) : pool_(pool), amount_(amount) {}
  BudgetPool* pool_ = nullptr;
  int64_t amount_ = 0;
};

class BudgetPool {
 public:
  // `cap_pico_usd` nullopt: no cap (spending is still counted).
  // `parent`, when set, is charged too: a reservation needs room in both,
  // which is how an executor's own cap nests inside a managed run's total.
  explicit BudgetPool(std::optional<int64_t> cap_pico_usd,
                      std::shared_ptr<BudgetPool> parent = nullptr)
      : cap_(cap_pico_usd), parent_(std::move(parent)) {}

  BudgetPool(const BudgetPool&) = delete;
  BudgetPool& operator=(const BudgetPool&) = delete;

  // Reserves `amount_pico_usd` when it fits under the cap of this pool and
  // of every parent; otherwise returns nullopt and reserves nothing.
  std::optional<Reservation> TryReserve(int64_t amount_pico_usd);
  // Records a cost that was not reserved (a call whose price is unknown,
  // or spending carried over from a resumed session).
  void AddSpent(int64_t pico_usd);

  std::optional<int64_t> cap_pico_usd() const { return cap_; }
  int64_t spent_pico_usd() const;
  int64_t reserved_pico_usd() const;
  // Money neither spent nor reserved here, and in the parents; nullopt
  // when no pool in the chain has a cap.
  std::optional<int64_t> available_pico_usd() const;
  // Marks this pool, and every parent without `amount_pico_usd` left,
  // as exhausted: a caller gave up on a call of that size.
  void MarkExhausted(int64_t amount_pico_usd);
  // Set by MarkExhausted: a call was given up for lack of money here.
  bool exhausted() const;

 private:
  friend class Reservation;
  bool TryReserveLocal(int64_t amount);
  void SettleLocal(int64_t reserved, int64_t actual);

  const std::optional<int64_t> cap_;
  const std::shared_ptr<BudgetPool> parent_;
  mutable std::mutex mu_;
  int64_t spent_ = 0;     // guarded by mu_
  int64_t reserved_ = 0;  // guarded by mu_
  bool exhausted_ = false;  // guarded by mu_
};

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_BUDGET_H_
