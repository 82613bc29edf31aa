#include "im/bridge.hpp"

#include <algorithm>
#include <cstring>

namespace im::bridge {

std::string_view view(im_str_t s) { return s.s && s.len > 0 ? std::string_view(s.s, s.len) : std::string_view{}; }

namespace {

std::string header_block(const std::vector<Header> &headers)
{
    std::string out;
    append_header_block(out, headers);
    return out;
}

im_str_t c_view(std::string_view s) { return {s.data(), static_cast<int>(s.size())}; }

}  // namespace

void copy_text(std::string_view text, char *buffer, std::size_t size)
{
    if (size == 0) return;
    const std::size_t n = std::min(text.size(), size - 1);
    std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
}

sip::Request to_request(const im_sip_request_t &in)
{
    sip::Request r;
    r.method = view(in.method);
    r.request_uri = view(in.request_uri);
    r.from_uri = view(in.from_uri);
    r.to_uri = view(in.to_uri);
    r.to_tag = view(in.to_tag);
    r.call_id = view(in.call_id);
    r.contact = view(in.contact);
    r.content_type = view(in.content_type);
    r.body = view(in.body);
    r.privacy = view(in.privacy);
    if (in.has_expires) r.expires = view(in.expires);
    r.event = view(in.event);
    r.sip_if_match = view(in.sip_if_match);
    r.date = view(in.date);
    for (int i = 0; i < std::min(in.asserted_identity_count, IM_MAX_HEADER_VALUES); ++i)
        r.asserted_identities.push_back(view(in.asserted_identity[i]));
    for (int i = 0; i < std::min(in.accept_contact_count, IM_MAX_HEADER_VALUES); ++i)
        r.accept_contact.push_back(view(in.accept_contact[i]));
    r.source = {view(in.source_ip), in.source_port, view(in.transport)};
    return r;
}

im_sip_request_t to_c_request(const sip::Request &in)
{
    im_sip_request_t r{};
    r.method = c_view(in.method);
    r.request_uri = c_view(in.request_uri);
    r.from_uri = c_view(in.from_uri);
    r.to_uri = c_view(in.to_uri);
    r.to_tag = c_view(in.to_tag);
    r.call_id = c_view(in.call_id);
    r.contact = c_view(in.contact);
    r.content_type = c_view(in.content_type);
    r.body = c_view(in.body);
    r.privacy = c_view(in.privacy);
    r.has_expires = in.expires.has_value();
    if (in.expires) r.expires = c_view(*in.expires);
    r.event = c_view(in.event);
    r.sip_if_match = c_view(in.sip_if_match);
    r.date = c_view(in.date);
    for (std::string_view v : in.asserted_identities)
        if (r.asserted_identity_count < IM_MAX_HEADER_VALUES) r.asserted_identity[r.asserted_identity_count++] = c_view(v);
    for (std::string_view v : in.accept_contact)
        if (r.accept_contact_count < IM_MAX_HEADER_VALUES) r.accept_contact[r.accept_contact_count++] = c_view(v);
    r.source_ip = c_view(in.source.ip);
    r.source_port = in.source.port;
    r.transport = c_view(in.source.transport);
    return r;
}

bool write_action(const Action &action, im_action_t *out)
{
    *out = im_action_t{};
    const std::string reply_headers = header_block(action.reply_headers);
    const std::string request_headers = header_block(action.request_headers);
    std::string reply_with_warning = reply_headers;
    if (!action.verdict.warning.empty()) reply_with_warning += "Warning: " + action.verdict.warning + "\r\n";
    if (reply_with_warning.size() >= sizeof out->reply_headers || request_headers.size() >= sizeof out->request_headers ||
        action.request_uri.size() >= sizeof out->request_uri) {
        write_internal_error(out);
        return false;
    }
    out->reply_code = action.verdict.code;
    out->rejection = static_cast<im_rejection_t>(action.verdict.rejection);
    copy_text(action.verdict.reason, out->reply_reason, sizeof out->reply_reason);
    copy_text(reply_with_warning, out->reply_headers, sizeof out->reply_headers);
    out->next = action.next == Action::Next::Controlling ? IM_NEXT_CONTROLLING : IM_NEXT_FORWARD;
    copy_text(action.request_uri, out->request_uri, sizeof out->request_uri);
    copy_text(request_headers, out->request_headers, sizeof out->request_headers);
    out->record_history = action.record_history ? 1 : 0;
    return true;
}

void CopyVerdicts::clear() noexcept
{
    texts_.clear();
    last_block_ = {};
    last_reason_ = {};
}

std::string_view CopyVerdicts::keep(std::string_view text) { return texts_.emplace_back(text); }

std::string_view CopyVerdicts::keep_repeated(std::string_view text, std::string_view &last)
{
    if (last.data() == nullptr || last != text) last = keep(text);
    return last;
}

void CopyVerdicts::write(const Action &action, im_copy_verdict_t *out)
{
    if (!action.verdict.proceed()) return refuse(action.verdict, out);
    deliver(action.request_uri.empty() ? std::string_view() : keep(action.request_uri),
            keep_header_block(action.request_headers), out);
}

std::string_view CopyVerdicts::keep_header_block(const std::vector<Header> &headers)
{
    block_.clear();
    append_header_block(block_, headers);
    return keep_repeated(block_, last_block_);
}

void CopyVerdicts::deliver(std::string_view request_uri, std::string_view header_block, im_copy_verdict_t *out) noexcept
{
    *out = im_copy_verdict_t{};
    out->request_uri = c_view(request_uri);
    out->request_headers = c_view(header_block);
}

void CopyVerdicts::refuse(const Verdict &refusal, im_copy_verdict_t *out)
{
    *out = im_copy_verdict_t{};
    out->reply_code = refusal.code;
    out->rejection = static_cast<im_rejection_t>(refusal.rejection);
    out->reason = c_view(keep_repeated(refusal.reason, last_reason_));
}

void CopyVerdicts::write_internal_error(im_copy_verdict_t *out) noexcept
{
    static constexpr std::string_view kReason = "Server Internal Error";
    *out = im_copy_verdict_t{};
    out->reply_code = 500;
    out->reason = c_view(kReason);
}

Verdict refusal_of(const im_copy_verdict_t &in)
{
    return Verdict{in.reply_code, std::string(view(in.reason)), {}, static_cast<Rejection>(in.rejection)};
}

void write_internal_error(im_action_t *out)
{
    *out = im_action_t{};
    out->reply_code = 500;
    copy_text("Server Internal Error", out->reply_reason, sizeof out->reply_reason);
    out->next = IM_NEXT_FORWARD;
}

}  // namespace im::bridge
