#pragma once
// C++ side of im_bridge.h: conversions, used by every module's API file.
#include <deque>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "im/action.hpp"
#include "im/sip/request.hpp"
#include "im_bridge.h"

namespace im::bridge {

sip::Request to_request(const im_sip_request_t &in);

// The other way, for one module calling another: the C view points into
// the strings `in` views, which must outlive it.
im_sip_request_t to_c_request(const sip::Request &in);

// Writes the action for the glue; returns false when a header block does not
// fit (the action is then turned into a 500 so nothing half-applied goes out).
bool write_action(const Action &action, im_action_t *out);

// Fills `out` with a 500 reply: the last resort when a procedure throws.
void write_internal_error(im_action_t *out);

// Copies text into a fixed C buffer, always NUL-terminated, truncating.
void copy_text(std::string_view text, char *buffer, std::size_t size);

// The text an im_str_t points at (empty for NULL).
std::string_view view(im_str_t s);

// The verdicts of one batch of copy checks (im_request_checks_t) and the
// texts they point into, kept until the next batch: a reason or header
// block once per distinct text in a row (the copies of a group MESSAGE
// mostly share them), a Request-URI once per copy.
class CopyVerdicts {
public:
    // Before each batch: the texts of the previous one go.
    void clear() noexcept;
    // The recipient's answer on one copy: 0 and the changes to make when it
    // goes, or the refusal.
    void write(const Action &action, im_copy_verdict_t *out);
    // The same in parts, for a batch whose delivered copies share a header
    // block: keep_header_block() once, then deliver() with a Request-URI the
    // caller keeps until the next batch, or refuse().
    std::string_view keep_header_block(const std::vector<Header> &headers);
    static void deliver(std::string_view request_uri, std::string_view header_block, im_copy_verdict_t *out) noexcept;
    void refuse(const Verdict &refusal, im_copy_verdict_t *out);
    // 500 for a copy left undecided by an internal error.
    static void write_internal_error(im_copy_verdict_t *out) noexcept;

private:
    std::string_view keep(std::string_view text);
    // keep(), but the last text kept by this slot when it is the same.
    std::string_view keep_repeated(std::string_view text, std::string_view &last);

    std::deque<std::string> texts_;  // a deque: what verdicts point into never moves
    std::string block_;              // the header block being built
    std::string_view last_block_;
    std::string_view last_reason_;
};

// The refusal an im_copy_verdict_t carries (its reply_code is not 0).
Verdict refusal_of(const im_copy_verdict_t &in);

}  // namespace im::bridge
