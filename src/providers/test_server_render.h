// Rendering of test server turns in each wire format, as the list of
// Server-Sent Events the real service would send.

#ifndef BOXAGNTS_PROVIDERS_TEST_SERVER_RENDER_H_
#define BOXAGNTS_PROVIDERS_TEST_SERVER_RENDER_H_

#include <string>
#include <vector>

#include "core/json.h"
#include "providers/services.h"
#include "providers/test_server.h"

namespace boxagnts::providers {

// Returns the complete events ("event: ...\ndata: ...\n\n") of `turn` as
// `format` streams them. `include_usage` is the OpenAI Chat request's
// stream_options.include_usage: when set, usage comes in a final chunk
// with no choices, else with the finish_reason chunk.
std::vector<std::string> RenderTurnEvents(const ScriptTurn& turn,
                                          Protocol format,
                                          const std::string& model,
                                          bool include_usage);

// Returns the event a stream_error fault sends in `format`.
std::string RenderStreamError(const ScriptTurn& turn, Protocol format);

// Returns an event whose data is not valid JSON.
std::string RenderMalformedEvent(Protocol format);

// Returns the JSON error body of an http_status fault in `format`.
std::string RenderErrorBody(int status, const std::string& message,
                            Protocol format);

// Splits `text` into pieces of at most `chars` UTF-8 characters; 0 keeps
// it whole. Never cuts a character.
std::vector<std::string> SplitUtf8(const std::string& text, int chars);

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_TEST_SERVER_RENDER_H_
