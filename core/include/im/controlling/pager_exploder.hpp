#pragma once
// Spec 8.3 with change requests 000 and 002: the Controlling IM Function
// receives a pager-mode MESSAGE for a group (a pre-defined group URI, the
// conference factory with a URI-list, or the session identity of an ongoing
// IM session) and sends one copy per recipient.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/action.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"
#include "im/store/group_store.hpp"

namespace im::controlling {

struct ControllingConfig {
    IdentityPolicy identity;
    std::string conference_factory;       // AOR of the conference factory
    bool uri_list_service = true;         // the "MESSAGE URI-list service" (RFC 5365)
    bool uri_list_anonymity_allowed = false;  // ad-hoc lists: CR 002 step 4 refuses anonymity
    std::size_t max_recipients = 100;     // local policy: more gets 403 with a Warning
};

// 8.3.2.1: the copies ask for IM-capable contacts only.
inline constexpr const char *kCopyAcceptContact = "*;+g.oma.sip-im;require;explicit";

// The first line of every copy's headers: the Max-Forwards Kamailio's tm
// would add itself (70, t_msgbuilder.c). tm's build_uac_req searches the
// extra headers for "Max-Forwards:" from their start for each copy, adding
// its own when absent: here the search ends at once, and a copy still has
// exactly one.
inline constexpr const char *kCopyMaxForwards = "Max-Forwards: 70\r\n";

// What every copy of one group MESSAGE carries (8.3.2.1), built once and
// shared by the copies instead of copied into each of up to max_recipients.
struct CopyContent {
    std::string from;          // From header value (originator, or anonymous)
    std::string headers;       // further header lines, CRLF-terminated, kCopyMaxForwards first
    std::string content_type;  // also in headers; what the recipient's checks look at
    std::string body;
};

// One copy for one recipient (8.3.2.1), ready for the host to send: its
// headers are content->headers, then those its recipient's terminating
// function adds (recipient_checks.hpp).
struct OutgoingMessage {
    std::string request_uri;  // the recipient
    std::string to;           // To header value
    std::shared_ptr<const CopyContent> content;
};

// CR 000 step 5b: an ongoing IM session as the target of a MESSAGE.
struct OngoingSession {
    std::string identity;                   // the session identity: From of the copies (8.3.2.1)
    std::vector<std::string> participants;  // AORs of its participants now
    bool anonymity_allowed = false;         // the session's group allows anonymity
};

// Where the exploder finds the session a session identity names: the
// conference focus, which hosts the sessions.
class SessionDirectory {
public:
    virtual ~SessionDirectory() = default;
    // The session `request_uri` names, when it is an ongoing one.
    virtual std::optional<OngoingSession> ongoing_session(std::string_view request_uri) = 0;
};

struct ExplodeOutcome {
    Action action;                        // 202, or the refusal
    std::vector<OutgoingMessage> copies;  // empty unless 202
    std::optional<Originator> originator; // who sent it, set with the copies
};

class PagerExploder {
public:
    // Without `sessions`, a MESSAGE to a session identity is a target that
    // does not exist here (404).
    PagerExploder(const ControllingConfig &config, store::GroupStore &groups, SessionDirectory *sessions = nullptr)
        : config_(config), groups_(groups), sessions_(sessions)
    {
    }
    ExplodeOutcome handle(const sip::Request &request) const;

    // Whether the Request-URI is this function's: the factory or a known group.
    bool owns(std::string_view request_uri) const;

private:
    // The refusal of a Group Advertisement body, or nullopt when it may go.
    std::optional<ExplodeOutcome> refuse_advertisement(std::string_view body, const Originator &originator) const;

    const ControllingConfig &config_;
    store::GroupStore &groups_;
    SessionDirectory *sessions_;
};

}  // namespace im::controlling
