#include "sandbox/net_broker.h"
#include "tools/tool.h"

namespace boxagnts::tools {

Result<Capability> ParseCapability(std::string_view name) {
  if (name == "file_read") return kCapabilityFileRead;
  if (name == "file_write") return kCapabilityFileWrite;
  if (name == "network") return kCapabilityNetwork;
  return Status::InvalidArgument("unknown capability \"" + std::string(name) +
                                 "\": use file_read, file_write or network");
}

std::vector<std::string> CapabilityNames(uint32_t capabilities) {
  std::vector<std::string> names;
  if (capabilities & kCapabilityFileRead) names.push_back("file_read");
  if (capabilities & kCapabilityFileWrite) names.push_back("file_write");
  if (capabilities & kCapabilityNetwork) names.push_back("network");
  return names;
}

}  // namespace boxagnts::tools
