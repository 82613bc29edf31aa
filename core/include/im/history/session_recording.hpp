#pragma once
// Spec 11.1.1, 11.1.2, 11.2.2: a participant of an IM Group Session starts or
// stops the session's recording with a REFER to the History Function
// (history@) whose Refer-To is the session identity: without a method, or
// with method=INVITE, it starts; with method=BYE it stops.
//
// The History Function takes part in the session as the MSRP relay's
// recorder: a silent participant that stores every message switched in the
// session, whole, in order, with its sender and receive time, under the
// referrer (table msrp_stored_message, role "recorder"). All of the
// "message store" is in this server (10.3.1.1.2 NOTE), so joining the
// session is a call to the relay, not an INVITE to the focus (11.3.1).
//
// One recording per user and session: a second start is accepted and
// changes nothing; a stop and a new start go on in the same conversation.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/controlling/session_identity.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"
#include "im/store/conference_store.hpp"

namespace im::history {

// The relay refused or could not be reached: the REFER gets 503.
class RecorderError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The MSRP switch's recorders (SESSION_ADD_RECORDER).
class SessionRecorder {
public:
    virtual ~SessionRecorder() = default;
    // The recorder's participant id. Throws RecorderError.
    virtual std::string add(const std::string &conference, const std::string &owner) = 0;
    // Throws RecorderError.
    virtual void remove(const std::string &conference, const std::string &recorder) = 0;
};

// One user's recording of one session (a row of im_history_conversation).
struct Recording {
    std::string owner;             // the referrer's AOR
    std::string conference;        // the relay session id (conversation_id)
    std::string session_identity;  // the Refer-To URI without parameters (peer)
    std::string recorder;          // the relay's recorder id while it records
    std::int64_t started_at = 0;
    std::optional<std::int64_t> ended_at{};  // set when stopped
    std::int64_t messages = 0;     // messages stored so far; -1 when unknown

    bool recording() const { return !ended_at.has_value(); }
};

class RecordingStore {
public:
    virtual ~RecordingStore() = default;
    // Stores `recording` as running. False when the owner already records
    // that session (nothing changed); a stopped recording of it goes on.
    virtual bool start(const Recording &recording) = 0;
    // The owner's running recording of the session.
    virtual std::optional<Recording> running(const std::string &owner, const std::string &conference) = 0;
    // Marks it stopped; false when it was not running.
    virtual bool stop(const std::string &owner, const std::string &conference, std::int64_t ended_at) = 0;
    // The owner's recordings, newest first, with their message counts.
    virtual std::vector<Recording> list(const std::string &owner) = 0;
};

struct HistoryConfig {
    std::string history_uri;                     // AOR of the History Function
    std::string session_prefix{controlling::kSessionPrefix};  // the focus's session identities
};

// What a REFER to the History Function gets.
struct ReferOutcome {
    Action action;            // 202 with its headers, or the refusal
    std::string conference;   // the session, with 202
    bool started = false;     // a recorder was added
    bool stopped = false;     // a recorder was removed
    // The status line the NOTIFY of the implicit subscription reports
    // (RFC 3515 2.4.5), with 202: "SIP/2.0 200 OK".
    std::string notify_status;
};

class HistoryFunction {
public:
    HistoryFunction(HistoryConfig config, IdentityPolicy identity, store::ConferenceStore &conferences,
                    RecordingStore &recordings, SessionRecorder &recorder, const Clock &clock)
        : config_(std::move(config)),
          identity_(std::move(identity)),
          conferences_(conferences),
          recordings_(recordings),
          recorder_(recorder),
          clock_(clock)
    {
    }

    // Whether `request_uri` is the History Function's URI.
    bool owns(std::string_view request_uri) const;

    // An initial REFER to the History Function. `refer_to` is the Refer-To
    // header body (empty when absent); `contact` the Contact header value
    // of the 202, this server as the referrer reaches it back.
    ReferOutcome refer(const sip::Request &refer, std::string_view refer_to, std::string_view contact);

    // The owner's recordings, newest first. A recording whose session has
    // ended is stopped here, at the first look after the end.
    std::vector<Recording> recordings(const std::string &owner);

private:
    // Each leaves a refusal in `outcome.action`, or nothing for 202.
    void start(const std::string &owner, const store::Conference &session, const std::string &identity,
               ReferOutcome &outcome);
    void stop(const std::string &owner, const store::Conference &session, ReferOutcome &outcome);

    HistoryConfig config_;
    IdentityPolicy identity_;
    store::ConferenceStore &conferences_;
    RecordingStore &recordings_;
    SessionRecorder &recorder_;
    const Clock &clock_;
};

}  // namespace im::history
