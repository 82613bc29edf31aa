#pragma once
// The IM Group Sessions the conference focus hosts (spec 7.2): which group has
// an active session, where the MSRP relay switches it, and the SIP dialog of
// every participant, so that any worker process can end a participant's
// session (BYE) and a restart of the server forgets none of them. Tables
// im_conference and im_conference_participant of sql/im_controlling-create.sql.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace im::store {

// One IM Group Session. Its id is the relay's conference session id; the
// session identity (the focus's Contact) is built from it.
struct Conference {
    std::string id;            // relay session id, unique
    std::string group_uri{};   // the pre-defined group's AOR; "" for an ad-hoc session
    std::string initiator{};   // AOR of the user who started it (7.2.2.8 release policy)
    std::int64_t started_at = 0;  // seconds since the epoch

    bool operator==(const Conference &) const = default;
};

// The focus's side of one participant's SIP dialog (RFC 3261 12.1.1: the
// focus answered the participant's INVITE, so it is the dialog's UAS).
struct FocusDialog {
    std::string call_id;
    std::string local_tag;      // the focus's tag (To tag of its 200)
    std::string remote_tag;     // the participant's tag (From tag of the INVITE)
    std::string local_uri;      // the INVITE's To URI
    std::string remote_uri;     // the INVITE's From URI
    std::string remote_target;  // the participant's Contact URI
    std::string route_set{};    // the INVITE's Record-Route values in order, comma-separated; "" none
    std::int64_t local_cseq = 0;  // CSeq of the last request the focus sent in the dialog
    std::string socket{};       // where the INVITE arrived, "proto:ip:port"; "" unknown

    bool operator==(const FocusDialog &) const = default;
};

struct ConferenceParticipant {
    std::string conference;     // Conference::id
    std::string participant;    // the relay's participant id, unique within the conference
    std::string identity;       // the participant's AOR
    bool anonymous = false;     // joined with Privacy: id (7.2.1.3 step 6)
    FocusDialog dialog;
    std::string sdp_answer{};   // the SDP the focus answered with (repeated on a refresh)
    std::int64_t joined_at = 0;   // seconds since the epoch

    bool operator==(const ConferenceParticipant &) const = default;
};

// Throw StoreError on failure, as every store does.
class ConferenceStore {
public:
    virtual ~ConferenceStore() = default;

    // Makes `conference` the active session of its group, unless the group
    // already has one (another process may have started it at the same time):
    // returns the session that is active for the group now, which is
    // `conference` when it was stored. An ad-hoc session (no group) is always
    // stored. StoreError if a session with this id exists.
    virtual Conference start(const Conference &conference) = 0;
    virtual std::optional<Conference> find(const std::string &id) = 0;
    virtual std::optional<Conference> find_by_group(const std::string &group_uri) = 0;
    // Every session, ordered by id.
    virtual std::vector<Conference> list() = 0;
    // Removes the session with its participants; true when there was one.
    virtual bool end(const std::string &id) = 0;

    // StoreError when the conference does not exist, or when the participant
    // id or the dialog (call_id, local_tag) is already stored.
    virtual void add_participant(const ConferenceParticipant &participant) = 0;
    // The participant whose dialog has this Call-ID and focus tag.
    virtual std::optional<ConferenceParticipant> find_by_dialog(const std::string &call_id,
                                                                const std::string &local_tag) = 0;
    // The conference's participants in the order they joined (then by id).
    virtual std::vector<ConferenceParticipant> participants(const std::string &conference) = 0;
    virtual std::size_t participant_count(const std::string &conference) = 0;
    // True when there was such a participant.
    virtual bool remove_participant(const std::string &conference, const std::string &participant) = 0;
    // Takes the next CSeq for a request the focus sends in the participant's
    // dialog (one more than the stored local_cseq, which it becomes), or
    // nullopt when there is no such participant. Safe between processes.
    virtual std::optional<std::int64_t> next_local_cseq(const std::string &conference,
                                                         const std::string &participant) = 0;
};

}  // namespace im::store
