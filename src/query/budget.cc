#include "query/budget.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/log.h"

namespace boxagnts::query {

namespace {

// Tokens a provider may add around the request (role markers, tool
// formatting, its own tool-use instructions).
constexpr int64_t kRequestAllowanceTokens = 1024;
constexpr int64_t kPerMessageAllowanceTokens = 16;
// An image given by URL costs tokens its few bytes do not bound.
constexpr int64_t kPerUrlImageTokens = 10'000;

int64_t MessageBytes(const providers::Message& message) {
  int64_t bytes = kPerMessageAllowanceTokens;
  for (const providers::ContentBlock& block : message.content) {
    if (const auto* image = std::get_if<providers::ImageBlock>(&block)) {
      if (!image->url.empty()) bytes += kPerUrlImageTokens;
    }
    if (const auto* result = std::get_if<providers::ToolResultBlock>(&block)) {
      for (const auto& part : result->content) {
        const auto* image = std::get_if<providers::ImageBlock>(&part);
        if (image != nullptr && !image->url.empty()) {
          bytes += kPerUrlImageTokens;
        }
      }
    }
  }
  return bytes + static_cast<int64_t>(
                     providers::MessageToJson(message).dump().size());
}

// Micro-dollars per million tokens are picodollars per token, so tokens
// times price is an exact cost in picodollars.
int64_t Times(int64_t tokens, int64_t pico_per_token) {
  return tokens * pico_per_token;
}

}  // namespace

Result<int64_t> UsdToPico(double usd, const std::string& what) {
  if (!std::isfinite(usd) || usd < 0) {
    return Status::InvalidArgument(what + " must be a non-negative amount "
                                          "in USD, such as 0.50; got " +
                                   std::to_string(usd));
  }
  if (usd > 1e6) {
    return Status::InvalidArgument(what + " of " + std::to_string(usd) +
                                   " USD is above the limit of 1000000");
  }
  return static_cast<int64_t>(std::llround(usd * 1e12));
}

InputEstimate EstimateInputTokens(
    const std::string& system,
    const std::vector<providers::ToolDefinition>& tools,
    const std::vector<providers::Message>& messages,
    std::optional<int64_t> previous_input_tokens,
    size_t previous_message_count) {
  InputEstimate estimate;
  size_t first_new = 0;
  if (previous_input_tokens && previous_message_count <= messages.size()) {
    estimate.tokens = *previous_input_tokens;
    estimate.from_previous_usage = true;
    first_new = previous_message_count;
  } else {
    estimate.tokens = kRequestAllowanceTokens +
                      static_cast<int64_t>(system.size());
    for (const providers::ToolDefinition& tool : tools) {
      estimate.tokens += static_cast<int64_t>(
          tool.name.size() + tool.description.size() +
          tool.input_schema.dump().size());
    }
  }
  for (size_t i = first_new; i < messages.size(); ++i) {
    estimate.tokens += MessageBytes(messages[i]);
  }
  return estimate;
}

int64_t WorstCaseCost(const providers::ModelPrices& prices,
                      int64_t input_tokens, int64_t max_output_tokens) {
  // Micro-dollars per million tokens equal picodollars per token.
  int64_t input_price = std::max({prices.input_micro_usd_per_mtok,
                                  prices.cache_read_micro_usd_per_mtok,
                                  prices.cache_write_micro_usd_per_mtok});
  return Times(input_tokens, input_price) +
         Times(max_output_tokens, prices.output_micro_usd_per_mtok);
}

Reservation::Reservation(Reservation&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      amount_(std::exchange(other.amount_, 0)) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    if (pool_ != nullptr) Settle(0);
    pool_ = std::exchange(other.pool_, nullptr);
    amount_ = std::exchange(other.amount_, 0);
  }
  return *this;
}

Reservation::~Reservation() {
  if (pool_ != nullptr) Settle(0);
}

void Reservation::Settle(int64_t actual_pico_usd) {
  if (pool_ == nullptr) return;
  if (actual_pico_usd > amount_) {
    spdlog::warn("budget: actual cost {} pUSD is above the reserved {} pUSD",
                 actual_pico_usd, amount_);
  }
  for (BudgetPool* pool = pool_; pool != nullptr; pool = pool->parent_.get()) {
    pool->SettleLocal(amount_, actual_pico_usd);
  }
  pool_ = nullptr;
  amount_ = 0;
}

bool BudgetPool::TryReserveLocal(int64_t amount) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cap_ && spent_ + reserved_ + amount > *cap_) return false;
  reserved_ += amount;
  return true;
}

void BudgetPool::SettleLocal(int64_t reserved, int64_t actual) {
  std::lock_guard<std::mutex> lock(mu_);
  reserved_ -= reserved;
  spent_ += actual;
}

std::optional<Reservation> BudgetPool::TryReserve(int64_t amount_pico_usd) {
  // Reserve from this pool up to the root; undo on the first refusal.
  BudgetPool* pool = this;
  for (; pool != nullptr; pool = pool->parent_.get()) {
    if (!pool->TryReserveLocal(amount_pico_usd)) break;
  }
  if (pool != nullptr) {
    for (BudgetPool* undo = this; undo != pool; undo = undo->parent_.get()) {
      undo->SettleLocal(amount_pico_usd, 0);
    }
    return std::nullopt;
  }
  return Reservation(this, amount_pico_usd);
}

void BudgetPool::AddSpent(int64_t pico_usd) {
  for (BudgetPool* pool = this; pool != nullptr; pool = pool->parent_.get()) {
    pool->SettleLocal(0, pico_usd);
  }
}

int64_t BudgetPool::spent_pico_usd() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spent_;
}

int64_t BudgetPool::reserved_pico_usd() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reserved_;
}

std::optional<int64_t> BudgetPool::available_pico_usd() const {
  std::optional<int64_t> available;
  for (const BudgetPool* pool = this; pool != nullptr;
       pool = pool->parent_.get()) {
    std::lock_guard<std::mutex> lock(pool->mu_);
    if (!pool->cap_) continue;
    int64_t here = *pool->cap_ - pool->spent_ - pool->reserved_;
    available = available ? std::min(*available, here) : here;
  }
  return available;
}

void BudgetPool::MarkExhausted(int64_t amount_pico_usd) {
  for (BudgetPool* pool = this; pool != nullptr; pool = pool->parent_.get()) {
    std::lock_guard<std::mutex> lock(pool->mu_);
    if (pool == this ||
        (pool->cap_ &&
         *pool->cap_ - pool->spent_ - pool->reserved_ < amount_pico_usd)) {
      pool->exhausted_ = true;
    }
  }
}

bool BudgetPool::exhausted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exhausted_;
}

}  // namespace boxagnts::query
