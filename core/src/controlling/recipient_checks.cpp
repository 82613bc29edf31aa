#include "im/controlling/recipient_checks.hpp"

#include "im/bridge.hpp"

namespace im::controlling {

sip::Request terminating_view(const OutgoingMessage &copy, const Originator &originator, CopyRequestStorage &storage)
{
    storage.asserted_identity = "<" + originator.aor + ">";
    sip::Request r;
    r.method = "MESSAGE";
    r.request_uri = copy.request_uri;
    r.from_uri = copy.content->from;
    r.to_uri = copy.to;
    r.content_type = copy.content->content_type;
    r.body = copy.content->body;
    if (originator.privacy_requested) r.privacy = "id";
    r.asserted_identities.push_back(storage.asserted_identity);
    r.accept_contact.push_back(kCopyAcceptContact);
    return r;
}

CheckedCopy unchecked(const OutgoingMessage &copy) { return {CopyFate::check_remote, copy.request_uri, {}, {}}; }

CheckedCopy deliver_checked(const OutgoingMessage &copy, std::string_view request_uri, std::string_view header_block)
{
    return {CopyFate::deliver, request_uri.empty() ? std::string_view(copy.request_uri) : request_uri, header_block, {}};
}

CheckedCopy refuse_checked(const OutgoingMessage &copy, Verdict refusal)
{
    if (refusal.code == 404 && refusal.rejection == Rejection::not_found) return unchecked(copy);
    return {CopyFate::refuse, copy.request_uri, {}, std::move(refusal)};
}

CheckedCopy checked_copy(const OutgoingMessage &copy, const im_copy_verdict_t &verdict)
{
    if (verdict.reply_code == 0)  // the common case: deliver it
        return deliver_checked(copy, bridge::view(verdict.request_uri), bridge::view(verdict.request_headers));
    return refuse_checked(copy, bridge::refusal_of(verdict));
}

}  // namespace im::controlling
