// Constructors of the wire protocol implementations, one per .cc file.

#ifndef BOXAGNTS_PROVIDERS_PROTOCOL_FACTORIES_H_
#define BOXAGNTS_PROVIDERS_PROTOCOL_FACTORIES_H_

#include <memory>

#include "providers/wire_protocol.h"

namespace boxagnts::providers {

std::unique_ptr<WireProtocol> MakeAnthropicProtocol();
std::unique_ptr<WireProtocol> MakeOpenAiChatProtocol();
std::unique_ptr<WireProtocol> MakeOpenAiResponsesProtocol();
std::unique_ptr<WireProtocol> MakeGeminiProtocol();

}  // namespace boxagnts::providers

#endif  // BOXAGNTS_PROVIDERS_PROTOCOL_FACTORIES_H_
