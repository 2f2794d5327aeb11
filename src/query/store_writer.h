// Keeps a query loop's history in the workspace's session store.
#ifndef BOXAGNTS_QUERY_STORE_WRITER_H_
#define BOXAGNTS_QUERY_STORE_WRITER_H_

#include <string>
#include <vector>

#include "providers/message.h"
#include "query/session_writer.h"
#include "workspace/session_store.h"

namespace boxagnts::query {

class StoreWriter : public SessionWriter {
 public:
  // Borrows `store`, which must outlive the writer.
  StoreWriter(workspace::SessionStore* store, std::string session_id)
      : store_(store), session_id_(std::move(session_id)) {}

  Status WriteStep(const StepWrite& step) override;
  Status WriteCompaction(const providers::Message& summary,
                         size_t kept_messages, int64_t tokens_before,
                         const ModelCallInfo& call) override;
  Status WriteStop(const std::string& stop_reason,
                   const std::string& status) override;

  const std::string& session_id() const { return session_id_; }

 private:
  workspace::SessionStore* const store_;
  const std::string session_id_;
};

// Converts a stored active history back to messages. Errors name the
// session and the position of a message that does not parse.
Result<std::vector<providers::Message>> MessagesFromStore(
    const std::vector<Json>& stored, const std::string& session_id);

workspace::ModelCallRecord ToModelCallRecord(const ModelCallInfo& call);

}  // namespace boxagnts::query

#endif  // BOXAGNTS_QUERY_STORE_WRITER_H_
