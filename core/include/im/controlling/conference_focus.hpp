#pragma once
// Spec 7.2: the Controlling IM Function as the conference focus of IM Group
// Sessions of pre-defined groups. A member's INVITE to the group identity
// starts the group's session or joins the one that is active (7.2.1.3,
// 7.2.1.4); an INVITE to the session identity rejoins it (7.2.1.5); a BYE
// leaves it and the release policy may end it (7.2.1.11, 7.2.2.8, 7.2.1.9).
// The MSRP relay is the session's MSRP switch: every participant's SDP answer
// carries the relay path of its conference participant, and the relay
// switches each message to the others in message/cpim with the sender's
// identity.
//
// Sessions whose relay conference is lost are ended with BYEs. The focus
// also tells the pager-mode exploder who is in a session, for a MESSAGE to
// the session identity (CR 000 step 5b).
//
// Not here yet: inviting the members when a session starts (7.2.2.2, the
// group's invite_members), ad-hoc and 1-1 sessions through the conference
// factory, REFER, the conference event package, session timer expiry.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/controlling/pager_exploder.hpp"
#include "im/controlling/session_identity.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"
#include "im/sip/uri.hpp"
#include "im/store/conference_store.hpp"
#include "im/store/group_store.hpp"

namespace im::controlling {

// The relay refused or could not be reached: the request gets 503.
class SwitchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The MSRP switch as the focus drives it ("interact with the MSRP switch"):
// the relay's conference sessions over its control socket.
class ConferenceSwitch {
public:
    struct Joined {
        std::string participant;
        std::string path;      // msrp: URI for the participant's SDP a=path
        std::string path_tls;  // msrps: URI, empty when the relay has no TLS
    };
    virtual ~ConferenceSwitch() = default;
    // Each throws SwitchError.
    virtual std::string create() = 0;
    // accept_types: comma-separated, as the control protocol wants them.
    virtual Joined add(const std::string &session, const std::string &identity, const std::string &accept_types,
                       bool anonymous) = 0;
    virtual void remove(const std::string &session, const std::string &participant) = 0;
    virtual void end(const std::string &session) = 0;
    // Every session the relay has now.
    virtual std::vector<std::string> sessions() = 0;
};

struct FocusConfig {
    // AOR of the conference factory: ad-hoc and 1-1 sessions (7.2.1.2) are
    // not offered yet, an INVITE to it gets 501.
    std::string conference_factory{};
    // User part prefix of session identities: sip:<prefix><session id>@<this server>.
    std::string session_prefix{kSessionPrefix};
    // Session-Expires of the 200 to a participant, refresher=uac (7.2.1.1 step 3).
    int session_expires = 1800;
    // 7.2.2.8 number-of-remaining-participants: a session with this many
    // participants or fewer left is released (0 or 1).
    int remaining_participants = 1;
};

// What the host adds to an initial INVITE for the focus's side of its dialog.
struct InviteContext {
    std::string local_tag;      // the To tag the host's reply will carry
    std::string remote_tag;     // the INVITE's From tag
    std::string route_set;      // the INVITE's Record-Route values in order, comma-separated
    std::string remote_target;  // the INVITE's Contact URI
    std::string socket;         // "proto:ip:port" it arrived on
    // "host:port;transport=tcp" of this server for the session identity
    // (the focus's Contact, where in-dialog requests come back to).
    std::string focus_address;
    bool timer_supported = false;  // Supported: timer (RFC 4028)
};

struct JoinOutcome {
    Action action;            // 200 with its headers, or the refusal
    std::string sdp_answer;   // the 200's application/sdp body
    std::string conference;   // set with 200
    std::string participant;  // set with 200
};

// A participant the host sends a BYE to (7.2.1.9), with the CSeq to use.
struct ByeOrder {
    store::ConferenceParticipant participant;
    std::int64_t cseq = 0;
};

// What an in-dialog request to the focus gets.
struct DialogOutcome {
    Action action;             // the reply; code 0 for an ACK (nothing to answer)
    std::string body;          // the reply's application/sdp body, or empty
    std::vector<ByeOrder> byes;  // participants to send a BYE to now
    bool session_ended = false;
};

class ConferenceFocus final : public SessionDirectory {
public:
    ConferenceFocus(FocusConfig config, IdentityPolicy identity, store::GroupStore &groups,
                    store::ConferenceStore &conferences, ConferenceSwitch &conference_switch, const Clock &clock)
        : config_(std::move(config)),
          identity_(std::move(identity)),
          groups_(groups),
          conferences_(conferences),
          switch_(conference_switch),
          clock_(clock)
    {
    }

    // The session id when `request_uri` is a session identity of this focus
    // (its prefix), whether or not that session still exists.
    std::optional<std::string> session_of(std::string_view request_uri) const;

    // The session `request_uri` names with its participants now, for a
    // MESSAGE to it; nullopt when it is no session identity of an active
    // session. The identity is the Request-URI without its parameters.
    std::optional<OngoingSession> ongoing_session(std::string_view request_uri) override;

    // An initial INVITE to a group identity or a session identity.
    JoinOutcome join(const sip::Request &invite, const InviteContext &context);

    // A request in a participant's dialog (its To tag is the focus's):
    // BYE leaves (and may end the session), re-INVITE or UPDATE refreshes
    // (200 with the same answer), ACK needs nothing, OPTIONS 200, anything
    // else 405; an unknown dialog 481.
    DialogOutcome in_dialog(const sip::Request &request);

    // 7.2.2.8: the group was deleted, so its session (if any) is released at
    // once: every participant gets a BYE. Empty when it had no session.
    std::vector<ByeOrder> end_group_session(const std::string &group_uri);

    // Sessions whose relay conference is gone (the relay was restarted, or
    // expired it) are ended: every participant gets a BYE. Nothing is ended
    // while the relay does not answer (SwitchError): a relay that comes back
    // without them ends them then.
    std::vector<ByeOrder> end_lost_sessions();

private:
    JoinOutcome refuse(Verdict verdict) const;
    DialogOutcome leave(const store::ConferenceParticipant &leaver);
    std::vector<ByeOrder> release(const store::Conference &conference);
    Header session_expires_header() const;
    std::vector<Header> focus_headers(const std::string &conference_id, const std::string &focus_address,
                                      const std::string &asserted_identity, bool timer_supported) const;

    FocusConfig config_;
    IdentityPolicy identity_;
    store::GroupStore &groups_;
    store::ConferenceStore &conferences_;
    ConferenceSwitch &switch_;
    const Clock &clock_;
};

// The SDP answer to a participant's offer: the offer with its MSRP media
// anchored at the participant's relay path (a=path, c=, port,
// a=setup:passive, as anchor_sdp does) and an origin line of the focus.
// Errors: an SDP that does not parse, a path that is no MSRP URI.
std::optional<std::string> focus_answer(std::string_view offer, std::string_view relay_path,
                                        std::string_view session_id);

}  // namespace im::controlling
