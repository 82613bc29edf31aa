#include "im/controlling/recipient_checks.hpp"

namespace im::controlling {

sip::Request terminating_view(const OutgoingMessage &copy, const Originator &originator, CopyRequestStorage &storage)
{
    storage.asserted_identity = "<" + originator.aor + ">";
    sip::Request r;
    r.method = "MESSAGE";
    r.request_uri = copy.request_uri;
    r.from_uri = copy.from;
    r.to_uri = copy.to;
    r.content_type = copy.content_type;
    r.body = copy.body;
    if (originator.privacy_requested) r.privacy = "id";
    r.asserted_identities.push_back(storage.asserted_identity);
    r.accept_contact.push_back(kCopyAcceptContact);
    return r;
}

CheckedCopy apply_terminating_verdict(OutgoingMessage copy, const Action &verdict)
{
    if (verdict.verdict.code == 404 && verdict.verdict.rejection == Rejection::not_found)
        return {CopyFate::check_remote, std::move(copy), {}};
    if (!verdict.verdict.proceed()) return {CopyFate::refuse, std::move(copy), verdict.verdict};
    if (!verdict.request_uri.empty()) copy.request_uri = verdict.request_uri;
    for (const Header &h : verdict.request_headers) copy.headers += h.name + ": " + h.value + "\r\n";
    return {CopyFate::deliver, std::move(copy), {}};
}

}  // namespace im::controlling
