#pragma once
// C++ side of im_bridge.h: conversions, used by every module's API file.
#include <exception>
#include <string>

#include "im/action.hpp"
#include "im/sip/request.hpp"
#include "im_bridge.h"

namespace im::bridge {

sip::Request to_request(const im_sip_request_t &in);

// The other way, for one module calling another: the C view points into
// the strings `in` views, which must outlive it.
im_sip_request_t to_c_request(const sip::Request &in);

// Reads back what write_action wrote (header blocks split into lines).
Action read_action(const im_action_t &in);

// Writes the action for the glue; returns false when a header block does not
// fit (the action is then turned into a 500 so nothing half-applied goes out).
bool write_action(const Action &action, im_action_t *out);

// Fills `out` with a 500 reply: the last resort when a procedure throws.
void write_internal_error(im_action_t *out);

// Copies text into a fixed C buffer, always NUL-terminated, truncating.
void copy_text(std::string_view text, char *buffer, std::size_t size);

}  // namespace im::bridge
