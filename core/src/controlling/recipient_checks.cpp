#include "im/controlling/recipient_checks.hpp"

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

CheckedCopy apply_terminating_verdict(OutgoingMessage copy, const Action &verdict)
{
    if (!verdict.verdict.proceed()) return refuse_checked(std::move(copy), verdict.verdict);
    std::string block;
    append_header_block(block, verdict.request_headers);
    return deliver_checked(std::move(copy), verdict.request_uri, block);
}

CheckedCopy refuse_checked(OutgoingMessage copy, Verdict refusal)
{
    if (refusal.code == 404 && refusal.rejection == Rejection::not_found)
        return {CopyFate::check_remote, std::move(copy), {}};
    return {CopyFate::refuse, std::move(copy), std::move(refusal)};
}

CheckedCopy deliver_checked(OutgoingMessage copy, std::string_view request_uri, std::string_view header_block)
{
    if (!request_uri.empty()) copy.request_uri = request_uri;
    copy.extra_headers += header_block;
    return {CopyFate::deliver, std::move(copy), {}};
}

}  // namespace im::controlling
